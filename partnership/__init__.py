"""Data, maps, models and widgets for the DPRK-Russia partnership course."""
