"""Common Norwegian names and street-name parts for the synthetic population."""

FEMALE_GIVEN_NAMES = (
    "Anne", "Inger", "Kari", "Marit", "Ingrid", "Liv", "Eva", "Berit", "Astrid", "Bjørg",
    "Hilde", "Anna", "Solveig", "Marianne", "Randi", "Ida", "Nina", "Maria", "Elisabeth", "Kristin",
    "Bente", "Heidi", "Silje", "Hanne", "Gerd", "Linda", "Tone", "Tove", "Elin", "Anita",
    "Wenche", "Camilla", "Ragnhild", "Julie", "Emma", "Nora", "Sara", "Sofie", "Thea", "Ingeborg",
    "Ella", "Maja", "Olivia", "Leah", "Frida", "Hedda", "Aurora", "Vilde", "Mathilde", "Tuva",
    "Sigrid", "Synnøve", "Åse", "Gunn", "Turid", "Grete", "Torill", "Mona", "Line", "Karoline",
)
MALE_GIVEN_NAMES = (
    "Jan", "Per", "Bjørn", "Ole", "Lars", "Kjell", "Knut", "Arne", "Svein", "Thomas",
    "Hans", "Geir", "Tor", "Morten", "Terje", "Odd", "Martin", "Erik", "Andreas", "John",
    "Anders", "Rune", "Trond", "Tore", "Harald", "Jon", "Gunnar", "Olav", "Stian", "Kristian",
    "Espen", "Magnus", "Jonas", "Daniel", "Henrik", "Fredrik", "Sindre", "Eirik", "Håkon", "Sander",
    "Jakob", "Emil", "Noah", "Oliver", "William", "Lucas", "Filip", "Aksel", "Isak", "Mathias",
    "Johannes", "Sverre", "Øyvind", "Einar", "Leif", "Ivar", "Egil", "Halvor", "Torstein", "Vegard",
)
FAMILY_NAMES = (
    "Hansen", "Johansen", "Olsen", "Larsen", "Andersen", "Pedersen", "Nilsen", "Kristiansen", "Jensen",
    "Karlsen", "Johnsen", "Pettersen", "Eriksen", "Berg", "Haugen", "Hagen", "Johannessen", "Andreassen",
    "Jacobsen", "Dahl", "Jørgensen", "Halvorsen", "Henriksen", "Lund", "Sørensen", "Jakobsen", "Moen",
    "Gundersen", "Iversen", "Strand", "Solberg", "Svendsen", "Eide", "Knutsen", "Martinsen", "Paulsen",
    "Bakken", "Kristoffersen", "Mathisen", "Lie", "Amundsen", "Nguyen", "Rasmussen", "Ali", "Lunde",
    "Solheim", "Berge", "Moe", "Nygård", "Bakke", "Kristensen", "Fredriksen", "Holm", "Lien", "Hauge",
    "Christensen", "Andresen", "Nielsen", "Knudsen", "Evensen", "Sæther", "Aas", "Myhre", "Hanssen",
    "Ahmed", "Haugland", "Thomassen", "Sivertsen", "Simonsen", "Danielsen", "Berntsen", "Sandvik",
    "Rønning", "Arnesen", "Antonsen", "Næss", "Vik", "Haug", "Ellingsen", "Thorsen", "Edvardsen",
    "Birkeland", "Isaksen", "Gulbrandsen", "Ruud", "Aasen", "Strøm", "Myklebust", "Tangen", "Ødegård",
)
STREET_STEMS = (
    "Kirke", "Skole", "Stor", "Strand", "Sjø", "Bjørke", "Furu", "Gran", "Eike", "Lønne",
    "Nordre", "Søndre", "Øvre", "Nedre", "Mølle", "Fjell", "Elve", "Bekke", "Skogs", "Enge",
    "Prestegårds", "Stasjons", "Kongens", "Dronning", "Olav Tryggvasons ", "Haralds", "Marka",
    "Løvås", "Solbakke", "Rosen", "Linde", "Hasle", "Myr", "Torg", "Brygge", "Havne", "Fyrtårn",
)
STREET_SUFFIXES = ("gata", "veien", "vegen", "bakken", "lia", "stien", "svingen", "tunet", "jordet", "haugen")
