from tests.benchmarks.main import main

raise SystemExit(main())
