"""What sales tells the apps above it, once the transaction has committed.

Billing subscribes (settlement after every contract event); sales never imports billing.
"""

from django.dispatch import Signal

# sender=Contract, contract=<Contract>, event=<ContractEvent>, actor=<user or None>
contract_event_recorded = Signal()
# sender=Contract, contract=<Contract>, actor=<user or None>
contract_signed = Signal()
