"""The demo's organisations: a welfare agency, a student-loan fund and two municipalities.
Names are invented; the organisation numbers are valid but belong to no real body."""

import io

from PIL import Image, ImageDraw

from virksomheter.models import Organisation
from virksomheter.services import save_organisation

DEMO_ORGANISATIONS = (
    {
        "organisasjonsnummer": "974312344",
        "kind": Organisation.Kind.STATE_AGENCY,
        "name_nb": "Velferdsetaten",
        "name_nn": "Velferdsetaten",
        "name_en": "The Welfare Agency",
        "contact_person": "Kari Nordmann",
        "email": "post@velferdsetaten.example.no",
        "phone": "+4721070000",
        "invoice_reference": "VEL-4100",
        "colour": (0, 52, 125),
    },
    {
        "organisasjonsnummer": "964201013",
        "kind": Organisation.Kind.STATE_AGENCY,
        "name_nb": "Statens lånefond for utdanning",
        "name_nn": "Statens lånefond for utdanning",
        "name_en": "The State Educational Loan Fund",
        "contact_person": "Ola Nordmann",
        "email": "post@lanefondet.example.no",
        "phone": "+4721620000",
        "invoice_reference": "LAN-2200",
        "colour": (10, 110, 80),
    },
    {
        "organisasjonsnummer": "965302026",
        "kind": Organisation.Kind.MUNICIPALITY,
        "name_nb": "Fjordvik kommune",
        "name_nn": "Fjordvik kommune",
        "name_en": "Fjordvik Municipality",
        "contact_person": "Ingrid Berg",
        "email": "postmottak@fjordvik.kommune.example.no",
        "phone": "+4755300000",
        "invoice_reference": "FJV-1",
        "colour": (150, 30, 40),
    },
    {
        "organisasjonsnummer": "911000016",
        "kind": Organisation.Kind.MUNICIPALITY,
        "name_nb": "Nordås kommune",
        "name_nn": "Nordås kommune",
        "name_en": "Nordås Municipality",
        "contact_person": "Per Hansen",
        "email": "postmottak@nordas.kommune.example.no",
        "phone": "+4777600000",
        "invoice_reference": "NOR-7",
        "colour": (90, 60, 140),
    },
)


def _logo(initials: str, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (160, 160), colour)
    draw = ImageDraw.Draw(image)
    draw.ellipse((20, 20, 140, 140), outline="white", width=8)
    draw.text((80, 80), initials, fill="white", anchor="mm", font_size=48)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def seed_demo_organisations() -> list[Organisation]:
    """Create the demo organisations that do not exist yet; returns those created."""
    created = []
    for data in DEMO_ORGANISATIONS:
        fields = {key: value for key, value in data.items() if key != "colour"}
        if Organisation.objects.filter(organisasjonsnummer=fields["organisasjonsnummer"]).exists():
            continue
        initials = "".join(word[0] for word in fields["name_nb"].split()[:2]).upper()
        created.append(
            save_organisation(
                Organisation(**fields), changed_by="demo-seed", logo_png=_logo(initials, data["colour"])
            )
        )
    return created
