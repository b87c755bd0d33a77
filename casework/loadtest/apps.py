from django.apps import AppConfig


class LoadtestConfig(AppConfig):
    name = "casework.loadtest"
    label = "loadtest"
    verbose_name = "Load data and benchmarks"
