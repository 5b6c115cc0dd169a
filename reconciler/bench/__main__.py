from reconciler.bench.main import main

raise SystemExit(main())
