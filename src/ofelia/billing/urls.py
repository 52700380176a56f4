from django.urls import path

from . import class_views, views

app_name = "billing"
urlpatterns = [
    path("facturation/factures/", views.invoice_list, name="invoice-list"),
    path("facturation/factures/<int:pk>/", views.invoice_detail, name="invoice-detail"),
    path("facturation/factures/<int:pk>/document.pdf", views.invoice_pdf_view, name="invoice-pdf"),
    path("facturation/factures/<int:pk>/<slug:action>/", views.invoice_action, name="invoice-action"),
    path("facturation/remboursements/<int:pk>/effectuer/", views.refund_pay, name="refund-pay"),
    path("facturation/remboursements/<int:pk>/stripe/", views.refund_online, name="refund-online"),
    path("facturation/relances/<int:pk>/mise-en-demeure.pdf", views.dunning_letter, name="dunning-letter"),
    path("facturation/contrats/<int:pk>/", views.contract_billing, name="contract-billing"),
    path("facturation/classes-virtuelles/<int:pk>/facture/", class_views.class_invoice, name="class-invoice"),
    path("facturation/contrats/<int:pk>/panneau/", views.contract_panel, name="contract-panel"),
    path("facturation/contrats/<int:pk>/<slug:action>/", views.contract_billing_action,
         name="contract-billing-action"),
    path("facturation/creances/", views.receivables, name="receivables"),
    path("facturation/chiffre-affaires/", views.revenue, name="revenue"),
    path("espace/factures/", views.my_invoices, name="my-invoices"),
    path("espace/factures/<int:pk>/document.pdf", views.my_invoice_pdf, name="my-invoice-pdf"),
    path("espace/factures/<int:pk>/payer/", views.my_invoice_pay, name="my-invoice-pay"),
    path("espace/commandes/<int:pk>/payer/", views.my_order_pay, name="my-order-pay"),
    path("espace/factures/<int:pk>/virement.svg", views.my_invoice_transfer_qr,
         name="my-invoice-transfer-qr"),
]
