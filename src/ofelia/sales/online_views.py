"""Public and extranet pages of online orders, retraction and the personal access link."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth import login
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.formats import date_format
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from ofelia.catalogue.models import TrainingSession
from ofelia.core import clock
from ofelia.core.middleware import SESSION_ORGANISATION_KEY
from ofelia.core.tenancy import tenant_required
from ofelia.organisations.models import EXTRANET_ROLES, ConsumerClient, Membership, Role
from ofelia.organisations.selectors import organisation_by_slug
from ofelia.rules.errors import RulesError

from . import access, orders, rules_io, services
from .forms import OrderForm
from .models import AccessLink, Contract, ContractEvent

STAFF = (Role.ADMINISTRATOR, Role.STAFF)


def _terms(organisation):  # type: ignore[no-untyped-def]
    """The policy in force today, its hash, and its retraction / payment clauses to show."""
    today = clock.today()
    policy = rules_io.policy_for_signature(organisation, organisation.policy_id, today)
    return {
        "policy": policy,
        "sha256": rules_io.policy_sha256(organisation, policy.id, policy.version),
        "retraction": [c for c in policy.clauses_of("RET") if c.applies_to("consumer", "inter")],
        "payment": policy.clause("PAY-L1"),
    }


@never_cache
def order(request: HttpRequest, slug: str, session_id: int) -> HttpResponse:
    organisation = organisation_by_slug(slug=slug)
    if organisation is None:
        raise Http404
    session = (TrainingSession.objects.for_organisation(organisation).select_related("training")
               .filter(pk=session_id, training__is_published=True, training__is_active=True).first())
    if session is None:
        raise Http404
    context = {"organisation": organisation, "session": session, "training": session.training}
    if not request.user.is_authenticated:
        next_q = urlencode({"next": request.get_full_path()})
        context["signup_url"] = f"{reverse('signup', args=[organisation.slug])}?{next_q}"
        context["login_url"] = f"{reverse('login')}?{next_q}"
        return render(request, "sales/order_login.html", context)
    consumer = ConsumerClient.objects.filter(organisation=organisation, user=request.user).first()
    member = Membership.objects.filter(organisation=organisation, user=request.user,
                                       role=Role.CONSUMER, is_active=True).exists()
    if consumer is None or not member:
        context["not_consumer"] = True
        return render(request, "sales/order_login.html", context)
    try:
        terms = _terms(organisation)
    except RulesError as exc:
        raise Http404(str(exc)) from exc
    price = session.training.price_excl_vat
    options = orders.instalment_options(organisation, amount_excl_vat=price, on=clock.today())
    seat, position = orders.shop_seat(session=session, consumer=consumer)
    if request.method == "POST" and request.POST.get("action") == "waitlist":
        try:
            enrolment = orders.waitlist_join(actor=request.user, organisation=organisation,
                                             consumer=consumer, session=session)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            from ofelia.catalogue.seats import waitlist_position

            messages.success(request, "Vous êtes inscrit(e) sur la liste d'attente, en position "
                                      f"{waitlist_position(enrolment)}. Si une place se libère, "
                                      "vous serez prévenu(e) par e-mail et pourrez commander ici.")
        return redirect(request.get_full_path())
    form = OrderForm(request.POST or None, instalment_options=options)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            placed = orders.order_create(
                actor=request.user, organisation=organisation, consumer=consumer, session=session,
                accept_terms=data["accept_terms"], digital_consent=data["digital_consent"],
                instalments=data["instalments"],
            )
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            request.session[SESSION_ORGANISATION_KEY] = organisation.pk
            due = placed.payment_deadline.due_on
            messages.success(request, f"Commande {placed.number} enregistrée : réglez-la au plus "
                                      f"tard le {date_format(due, 'j F Y')}, sans quoi elle sera "
                                      "annulée et la place libérée. Votre contrat de formation est "
                                      "disponible dans « Mes formations ».")
            return redirect("billing:my-order-pay", pk=placed.pk)
    context.update({"form": form, "terms": terms, "options": options, "seat": seat,
                    "position": position,
                    "digital": orders.is_digital_content(session),
                    "vat_rate": orders.vat_rate_of(organisation),
                    "consent_text": orders.DIGITAL_CONSENT_TEXT})
    return render(request, "sales/order.html", context)


def retraction_form_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """The model retraction form (Code de la consommation, annexe à l'article R221-1), as PDF."""
    from weasyprint import HTML

    organisation = organisation_by_slug(slug=slug)
    if organisation is None:
        raise Http404
    html = render_to_string("sales/pdf/retraction_form.html", {"organisation": organisation})
    response = HttpResponse(HTML(string=html).write_pdf(), content_type="application/pdf")
    response["Content-Disposition"] = 'attachment; filename="formulaire-retractation.pdf"'
    return response


@tenant_required(Role.CONSUMER)
@require_POST
def my_retraction(request: HttpRequest, pk: int) -> HttpResponse:
    """The online retraction button: recorded as a retraction event, evaluated by the rules."""
    contract = Contract.objects.for_organisation(request.organisation).filter(  # type: ignore[attr-defined]
        pk=pk, consumer__user=request.user).first()
    if contract is None:
        raise Http404
    try:
        services.contract_event_record(actor=request.user, contract=contract,
                                       type=ContractEvent.Type.RETRACTION, on=clock.today(),
                                       by=ContractEvent.By.CLIENT,
                                       note="Rétractation en ligne depuis l'espace client.")
        messages.success(request, "Votre rétractation est enregistrée ; les sommes versées vous "
                                  "seront remboursées selon les conditions générales.")
    except services.RuleRefusal as exc:
        messages.error(request, exc.explanation)  # the clause explained, not its code
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("sales:my-trainings")


# --- personal access link ---------------------------------------------------------------

@tenant_required(*STAFF)
@never_cache
def access_links(request: HttpRequest) -> HttpResponse:
    org = request.organisation  # type: ignore[attr-defined]
    issued = None
    if request.method == "POST":
        member = Membership.objects.filter(organisation=org, pk=request.POST.get("membership"),
                                           role__in=EXTRANET_ROLES).select_related("user").first()
        if member is None:
            raise Http404
        action = request.POST.get("action")
        try:
            if action == "issue":
                link, secret = access.access_link_issue(actor=request.user, organisation=org,
                                                        user=member.user)
                issued = {"member": member, "url": request.build_absolute_uri(
                    reverse("sales:access-link-use", args=[secret])), "link": link}
            elif action == "revoke":
                link = access.live_link(organisation=org, user=member.user)
                if link is not None:
                    access.access_link_revoke(actor=request.user, link=link)
                    messages.success(request, f"Lien de {member.user.get_full_name()} révoqué.")
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    members = list(Membership.objects.filter(organisation=org, role__in=EXTRANET_ROLES)
                   .select_related("user").order_by("user__last_name", "id")[:500])
    live = {link.user_id: link for link in AccessLink.objects.for_organisation(org).filter(
        revoked_at__isnull=True, user__in=[m.user_id for m in members])}
    now = clock.now()
    rows = [{"member": m, "link": live.get(m.user_id),
             "expired": bool(live.get(m.user_id) and live[m.user_id].expires_at <= now)}
            for m in members]
    return render(request, "sales/access_links.html", {"rows": rows, "issued": issued})


@never_cache
def access_link_use(request: HttpRequest, secret: str) -> HttpResponse:
    link = access.access_link_use(secret)
    if link is None:
        return render(request, "sales/access_link_invalid.html", status=410)
    login(request, link.user, backend="ofelia.accounts.backends.EmailOrUsernameBackend")
    request.session[SESSION_ORGANISATION_KEY] = link.organisation_id
    return redirect("extranet-home")


@tenant_required(*EXTRANET_ROLES)
@require_POST
def access_link_report_loss(request: HttpRequest) -> HttpResponse:
    revoked = access.access_link_report_loss(user=request.user,
                                             organisation=request.organisation)  # type: ignore[attr-defined]
    if revoked is None:
        messages.info(request, "Vous n'aviez pas de lien d'accès actif.")
    else:
        messages.success(request, "Votre lien d'accès personnel est révoqué. Comme le prévoient les "
                                  "conditions générales, confirmez cette perte par lettre recommandée "
                                  "avec avis de réception ; l'organisme pourra vous en délivrer un nouveau.")
    return redirect("sales:my-trainings")
