"""Django project configuration.

Set before NumPy is first imported (the settings package is imported before any app code): the
forecasting models are small, and a multi-threaded BLAS in every web or worker process only
makes them compete for the cores (measured up to ten times slower on a loaded two-core machine).
An operator who wants more threads sets the variable explicitly.
"""

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
