# landcomp's `tables` package holds the schedules; PyInstaller's contributed hook of the same name is
# for PyTables and would ask for its compression modules and libraries. This hook replaces it and
# collects what our package needs: the schedule data files and the catalog's key list (not the worked
# cases in tables/cases/, which only the tests read).
from PyInstaller.utils.hooks import collect_data_files

datas = collect_data_files("tables", excludes=["cases", "cases/**"])
