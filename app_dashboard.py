"""credsim dashboard: `streamlit run app_dashboard.py` (or `credsim dashboard`).

A thin entry for a clone of the repository: the page lives in
``sim/dashboard/app.py``, which is also what the installed ``credsim
dashboard`` command starts.
"""

from sim.dashboard.app import main

main()
