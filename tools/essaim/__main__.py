from essaim.cli import main

raise SystemExit(main())
