"""The risk assessment that sets a client's minimum security level, as in Digdir's guidance for
choosing a security level: six kinds of harm a wrongful login could do, each rated 1–4.
The highest rating decides: 1–3 allow substantial (MinID), 4 needs high."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from idporten.models import LOA_HIGH, LOA_SUBSTANTIAL

RISK_LEVELS = {
    1: _("1 – low"),
    2: _("2 – moderate"),
    3: _("3 – substantial"),
    4: _("4 – high"),
}
HIGH_RISK = 4
# The audit event that keeps each assessment (details: assessment, minimum_level).
AUDIT_ACTION = "idporten.client_risk_assessed"


@dataclass(frozen=True)
class Row:
    key: str
    label: str


ROWS = (
    Row("life_and_health", _("Consequences for life and health")),
    Row("economic_loss", _("Economic loss")),
    Row("reputation", _("Damage to reputation")),
    Row("hindrance_of_prosecution", _("Hindrance of prosecution")),
    Row("contribution_to_crime", _("Negligent contribution to crime")),
    Row("nuisance", _("Nuisance")),
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
