from brushstrokes.cli import main

raise SystemExit(main())
