from essaim.cli.main import main

raise SystemExit(main())
