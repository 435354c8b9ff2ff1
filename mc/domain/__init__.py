"""Domain types shared by the layer that reads data and the layer that models it.

:mod:`mc.data` builds these objects from files and :mod:`mc.model` computes with them; keeping
them here lets both use the same type without either importing the other. Only NumPy and the
standard library: importing this package stays cheap.
"""
