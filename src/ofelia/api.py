"""The REST API (`/api/v1`). Each app adds its router here."""

from ninja import NinjaAPI

api = NinjaAPI(
    title="Ofelia API",
    version="1",
    description="API d'Ofelia : simulation, ventes, facturation. Chaque montant cite sa clause.",
    urls_namespace="api",
)

from ofelia.simulator.api import router as simulator_router  # noqa: E402

api.add_router("/", simulator_router)

from ofelia.sales.api import router as sales_router  # noqa: E402

api.add_router("/", sales_router)

from ofelia.billing.api import router as billing_router  # noqa: E402

api.add_router("/", billing_router)
