"""Demo quality data: training objectives for the BPF (all but one, so that the checker
has something to say), and a few complaints — one lodged from the extranet by the client
contact about a contract's delivery, one answered by phone, one closed with its
improvement action. Created once per organisation; the BPF itself needs no data of its own
(it reads the demo's invoices, contracts and attendance)."""

from __future__ import annotations

from datetime import timedelta

from ofelia.catalogue.models import Training
from ofelia.core import clock
from ofelia.organisations.models import Membership, Organisation, Role
from ofelia.sales.models import Contract

from . import services
from .models import Complaint


def _objectives(organisation: Organisation) -> None:
    trainings = list(Training.objects.for_organisation(organisation).order_by("id"))
    for training in trainings[:-1]:
        code = training.certification_code
        training.bpf_objective = "rs" if code.startswith("RS") else "rncp_5" if code else "other"
    Training.objects.bulk_update(trainings[:-1], ["bpf_objective"])


def load_quality(organisation: Organisation) -> int:
    """The number of complaints created (0 when some exist or the demo people are missing)."""
    if Complaint.objects.for_organisation(organisation).exists():
        return 0
    admin = (Membership.objects.filter(organisation=organisation, role=Role.ADMINISTRATOR)
             .select_related("user").first())
    contact = (Membership.objects.filter(organisation=organisation, role=Role.CLIENT_CONTACT,
                                         company__isnull=False).select_related("user").first())
    if admin is None or contact is None:
        return 0
    _objectives(organisation)
    today = clock.today()
    contract = (Contract.objects.for_organisation(organisation)
                .filter(client_company_id=contact.company_id).exclude(status="draft")
                .order_by("id").first())
    services.complaint_lodge(
        actor=contact.user, organisation=organisation, membership=contact,
        subject="Supports de cours non remis",
        description="Les supports promis en fin de formation ne nous sont pas parvenus.",
        contract=contract.pk if contract else None, concerns_delivery=contract is not None)
    phone = services.complaint_record(
        actor=admin.user, organisation=organisation, complainant="Mme Lefèvre (stagiaire)",
        channel="phone", subject="Salle trop bruyante", received_on=today - timedelta(days=20),
        description="Travaux dans le bâtiment pendant la session.")
    services.complaint_answer(actor=admin.user, organisation=organisation, pk=phone.pk,
                              answer="Excuses présentées ; la session suivante change de salle.")
    closed = services.complaint_record(
        actor=admin.user, organisation=organisation, complainant="Service RH du client",
        channel="email", subject="Convocation reçue tardivement",
        received_on=today - timedelta(days=60),
        description="La convocation est arrivée la veille de la formation.")
    services.complaint_answer(actor=admin.user, organisation=organisation, pk=closed.pk,
                              answer="Les convocations partent désormais 15 jours avant.")
    services.action_create(actor=admin.user, organisation=organisation, complaint_id=closed.pk,
                           title="Envoyer les convocations 15 jours avant la session",
                           description="Relance automatique à J-15.", owner="Responsable qualité",
                           due_on=today - timedelta(days=30), status="done", outcome="En place.")
    services.complaint_close(actor=admin.user, organisation=organisation, pk=closed.pk,
                             closing_note="Action d'amélioration réalisée.")
    return 3
