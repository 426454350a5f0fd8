"""What a card is: the card model, its vocabularies, geography, links, personal data and freshness rules."""
