"""The phone workbench of grid workers, stewards and repair workers (/staff/):
their work list and the case page. Server-rendered, no JavaScript needed,
scoped and permitted exactly as the admin (the same selectors and services).

The grid's field work (patrols, visits, household files) has its pages in
``grids`` (``grids.urls``); these pages call the case services, which only
this app may import."""
