"""The pure rules core: no Django, no I/O, no clock.

Facts go in as frozen dataclasses, with the policy version, the legal data and the
calendar they need; outcomes come back with the rule id and a French explanation of
the clause behind every figure.
"""
