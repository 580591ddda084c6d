"""The risk assessment that sets a client's minimum security level, as in Digdir's guidance for
choosing a security level: six kinds of harm a wrongful login could do, each rated 1–4.
The highest rating decides: 1–3 allow substantial (MinID), 4 needs high."""

from dataclasses import dataclass

from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL, Client, RiskLevel

RISK_LEVELS = dict(RiskLevel.choices)
HIGH_RISK = RiskLevel.HIGH
# The audit event that keeps each assessment (details: assessment, minimum_level).
AUDIT_ACTION = "idporten.client_risk_assessed"


@dataclass(frozen=True)
class Row:
    key: str

    @property
    def field_name(self) -> str:
        """The client's column that keeps this rating."""
        return f"risk_{self.key}"

    @property
    def label(self) -> str:
        return Client._meta.get_field(self.field_name).verbose_name


ROWS = tuple(
    Row(key)
    for key in (
        "life_and_health",
        "economic_loss",
        "reputation",
        "hindrance_of_prosecution",
        "contribution_to_crime",
        "nuisance",
    )
)


def minimum_level(assessment: dict[str, int]) -> str:
    """The acr value a client with this assessment must at least ask for."""
    ratings = []
    for row in ROWS:
        rating = assessment.get(row.key)
        if rating not in RISK_LEVELS:
            raise ValueError(f"The risk for {row.key} must be rated 1 to 4, not {rating!r}.")
        ratings.append(rating)
    return LOA_HIGH if max(ratings) >= HIGH_RISK else LOA_SUBSTANTIAL
