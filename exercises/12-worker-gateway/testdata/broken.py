# testdata/broken.py: an app that cannot load.
import os

app = undefined_name_at_import  # noqa: F821: NameError on import
