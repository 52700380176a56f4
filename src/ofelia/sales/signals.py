"""What sales tells the apps above it, once the transaction has committed.

Billing subscribes (settlement after every contract event); sales never imports billing.
"""

from django.dispatch import Signal

# sender=Contract, contract=<Contract>, event=<ContractEvent>, actor=<user or None>
contract_event_recorded = Signal()
# sender=Contract, contract=<Contract>, actor=<user or None>
contract_signed = Signal()
# sender=Contract, contract=<Contract>, amendment=<ContractAmendment>, actor=<user or None>:
# a signed contract gained a learner (workforce and, for inter trainings, price changed).
contract_amended = Signal()
