"""Named predicates over the caller, composed with ``|`` and ``&``.

A rule answers "may this caller use this action at all"; which objects it may reach is the
queryset restriction's job (``permissions.querysets``), and an object outside it is a 404."""

from collections.abc import Callable
from dataclasses import dataclass

from casework.accounts import principals
from casework.accounts.principals import Caller

Predicate = Callable[[Caller], bool]


@dataclass(frozen=True)
class Rule:
    name: str
    test: Predicate

    def __call__(self, principal: Caller) -> bool:
        return bool(self.test(principal))

    def __or__(self, other: "Rule") -> "Rule":
        return Rule(f"{self.name} | {other.name}", lambda p: self(p) or other(p))

    def __and__(self, other: "Rule") -> "Rule":
        return Rule(f"{self.name} & {other.name}", lambda p: self(p) and other(p))

    def __str__(self) -> str:
        return self.name


def scope(name: str) -> Rule:
    """An integration whose API key carries ``name``."""

    def test(principal: Caller) -> bool:
        caller = principals.integration(principal)
        return caller is not None and name in caller.scopes

    return Rule(f"scope({name})", test)


nobody = Rule("nobody", lambda p: False)
any_person = Rule("any_person", lambda p: principals.person(p) is not None)
any_caller = Rule(
    "any_caller",
    lambda p: principals.person(p) is not None or principals.integration(p) is not None,
)
superuser = Rule("superuser", principals.is_superuser)
# A session verified by a second factor (django-otp's middleware marks it); a token or an API
# key never is.
second_factor_verified = Rule(
    "second_factor_verified", lambda p: bool(getattr(p, "is_verified", lambda: False)())
)
charity_staff = Rule("charity_staff", principals.is_charity_staff)
supervisor = Rule("supervisor", principals.is_supervisor)
police_liaison = Rule("police_liaison", principals.is_police_liaison)
# Who manages an organisation's webhooks: a charity's supervisors, a force's police liaisons.
webhook_manager = supervisor | police_liaison
