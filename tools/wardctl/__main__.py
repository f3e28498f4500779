import sys

from wardctl.cli import main

sys.exit(main())
