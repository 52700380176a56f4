from django.apps import AppConfig


class SimulatorConfig(AppConfig):
    name = "ofelia.simulator"
    label = "simulator"
    verbose_name = "Simulation"
