import sys

from policykb.cli import main

sys.exit(main())
