"""Django REST Framework, knox tokens and drf-spectacular."""

from datetime import timedelta

from ..env import env

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "permissions.authentication.PersonTokenAuthentication",
        "permissions.authentication.ApiKeyAuthentication",
    ],
    # Deny by default: every view names the policy that lets anyone in.
    "DEFAULT_PERMISSION_CLASSES": ["permissions.policies.DenyAll"],
    "DEFAULT_RENDERER_CLASSES": ["api.renderers.OrjsonRenderer"],
    "DEFAULT_PARSER_CLASSES": ["api.parsers.StrictJSONParser"],
    "DEFAULT_THROTTLE_CLASSES": [
        "permissions.throttling.PersonThrottle",
        "permissions.throttling.IntegrationThrottle",
    ],
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.CursorPagination",
    "PAGE_SIZE": 25,
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    # JSON only: no ?format= switching of renderers (the parameter is free for endpoints' use).
    "URL_FORMAT_OVERRIDE": None,
}

# The largest request body the API reads (bytes); a larger one answers 413 before it is parsed.
API_MAX_BODY_BYTES = env.int("API_MAX_BODY_BYTES", default=1024 * 1024)

# The domain asks which rows a principal may see through one function (``casework.core.access``)
# and never imports ``permissions/``, which sits above it: this names the answer.
CASEWORK_RESTRICT = "permissions.querysets.restrict"

# What a force sees of a share is written by the API (its serializer and renderer); the domain
# keeps each version of it as a disclosure when a share starts or changes, and asks here for the
# exact bytes the force's next read will get.
CASEWORK_SHARE_PACKAGE = "api.sharing.packages.shared_case_package"

# Tokens for people: idle timeout with sliding renewal, and an absolute lifetime.
REST_KNOX = {
    "TOKEN_TTL": timedelta(minutes=env.int("AUTH_TOKEN_IDLE_MINUTES", default=30)),
    "AUTO_REFRESH": True,
    "AUTO_REFRESH_MAX_TTL": timedelta(hours=env.int("AUTH_TOKEN_MAX_HOURS", default=10)),
    "MIN_REFRESH_INTERVAL": 60,
    "TOKEN_LIMIT_PER_USER": env.int("AUTH_TOKENS_PER_USER", default=5),
    "AUTH_HEADER_PREFIX": "Token",
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Casework API",
    "DESCRIPTION": (
        "Consent-driven case management for charities supporting sex workers who are victims "
        "of crime, and their police partners. Every error response uses the `Error` shape."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v1",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema.add_error_responses",
        "api.schema.add_conditional_edits",
        "api.webhooks.catalogue.x_webhooks",
    ],
    # The deliveries a receiver gets, one per event type (see api/webhooks/catalogue.py).
    "WEBHOOKS": "api.webhooks.catalogue.WEBHOOKS",
    # Every enumeration gets its own name in the schema, from its class.
    "ENUM_NAME_OVERRIDES": {
        f"{name}Enum": f"{module}.{name}"
        for module, names in {
            "casework.accounts.choices": ["OrganisationKind", "Role", "Scope"],
            "casework.accounts.principals": ["PrincipalKind"],
            "casework.clients.choices": [
                "ContactKind",
                "ContactStatus",
                "WorkSetting",
                "VulnerabilityFlag",
            ],
            "casework.cases.choices": [
                "ReferralStatus",
                "ReferralSource",
                "DeclineReason",
                "Urgency",
                "OffenceType",
                "RiskLevel",
                "ClosureReason",
                "Lifecycle",
                "ContactChannel",
                "ContactDirection",
                "ContactOutcome",
                "NoteVisibility",
                "AssignmentRole",
            ],
            "casework.cases.lifecycles": ["SupportStatus", "JusticeStage"],
            "casework.sharing.choices": [
                "ConsentScope",
                "ConsentMethod",
                "SharingLevel",
                "ShareStatus",
                "InvestigationStatus",
                "ChargingDecision",
                "UpdateKind",
                "PoliceUpdateKind",
                "ConsentState",
                "ContactRoute",
                "DecisionKind",
                "OverrideGround",
                "OverrideState",
                "SharedUnder",
            ],
            "casework.attachments.choices": ["AttachmentKind", "FileFamily"],
            "casework.contact_requests.choices": [
                "ContactRequestPurpose",
                "ContactRequestUrgency",
                "PreferredContact",
                "ContactRequestStatus",
                "ContactRequestOutcome",
                "AgreedRoute",
            ],
            "casework.approvals.choices": ["ApprovalStatus", "ApprovalKind"],
            "casework.alerts.choices": ["AlertStatus", "IdentifierKind", "RetractionReason"],
            "casework.court.choices": [
                "HearingType",
                "HearingStatus",
                "SpecialMeasure",
                "JusticeDecisionKind",
                "EntitlementStatus",
                "VictimRight",
                "RightProvider",
                "RightState",
            ],
            "casework.support.choices": ["NeedArea", "NeedStatus", "SafetyItemStatus"],
            "casework.reminders.choices": [
                "ReminderKind",
                "ReminderStatus",
                "MessagePurpose",
                "MessageChannel",
                "MessageStatus",
            ],
            "casework.webhooks.choices": ["EventType", "DeliveryStatus", "PauseReason"],
            "casework.disclosures.choices": [
                "DisclosureKind",
                "RecordsRequestStatus",
                "RecordsDecision",
                "ReleasedRecordKind",
            ],
        }.items()
        for name in names
    }
    # A route police may be given (a shared case's contact, a contact request's answer): the
    # name it had when the shared case was its only use.
    | {"SharedContactKindEnum": "casework.clients.choices.POLICE_ROUTE_KIND_CHOICES"},
}

# Whether /api/schema/ and /api/docs/ are open to anyone; production keeps them to admins.
API_DOCS_PUBLIC = env.bool("API_DOCS_PUBLIC", default=True)
