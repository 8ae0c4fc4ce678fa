import sys

from flowmart.cli import main

sys.exit(main())
