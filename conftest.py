pytest_plugins = ["jiceng.fixtures"]
