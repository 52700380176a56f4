from ofelia.cli import main

raise SystemExit(main())
