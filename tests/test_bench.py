"""The benchmark's generator makes data the product itself accepts, and the same data every time."""

from __future__ import annotations

from collections import Counter

from bench import generator
from bench.generator import BENCH_TODAY, District, age_on
from shequ.core import services
from shequ.core.idnumber import birth_date_of, gender_of, id_number_problem, phone_problem
from shequ.core.models import PATH_STEP, Area
from shequ.registry.models import Resident
from shequ.registry.services import seal_personal_data


def test_generator_paths_step_like_the_area_tree() -> None:
    assert generator.PATH_STEP == PATH_STEP


def test_the_same_seed_gives_the_same_district_and_another_seed_another() -> None:
    assert District("tiny").digest() == District("tiny").digest()
    assert District("tiny").digest() != District("tiny", seed=7).digest()


def test_people_have_valid_unique_id_numbers_and_phones() -> None:
    people = [m for h in District("tiny").households() for m in h.members]
    assert len(people) > 200
    assert len({p.id_number for p in people}) == len(people)
    phones = [p.phone for p in people if p.phone]
    assert len(set(phones)) == len(phones)
    for p in people:
        assert id_number_problem(p.id_number, today=BENCH_TODAY) is None
        assert birth_date_of(p.id_number) == p.birth_date
        assert gender_of(p.id_number) == p.gender
        assert (p.phone == "") == (age_on(p.birth_date) < 16)
        assert not p.phone or phone_problem(p.phone) is None


def test_small_scale_has_the_districts_shares() -> None:
    district = District("small")
    households = people = aged = 0
    for h in district.households():
        households += 1
        people += len(h.members)
        aged += sum(age_on(m.birth_date) >= 60 for m in h.members)
    assert 18_000 <= people <= 22_000
    assert 2.8 <= people / households <= 3.3
    assert 0.17 <= aged / people <= 0.21


def test_scales_have_the_shape_the_issue_asks_for() -> None:
    d = generator.SCALES["district"]
    assert (d.streets, d.streets * d.communities_per_street) == (10, 100)
    assert d.streets * d.communities_per_street * d.grids_per_community == 2_000
    assert d.buildings == 20_000
    assert d.households == 330_000


def test_the_product_accepts_the_whole_tiny_district(db: None) -> None:
    # area_create validates codes (shape, parent prefix, uniqueness) and assigns the paths itself.
    district = District("tiny")
    parents: dict[int, Area] = {}
    ids: dict[int, int] = {}
    for a in district.areas():
        area = services.area_create(
            by=None,
            parent=parents.get(a.parent_id) if a.parent_id else None,
            name=a.name,
            code=a.code,
            address=a.address,
            latitude=a.latitude,
            longitude=a.longitude,
        )
        assert area.path == a.path
        assert area.kind == a.kind
        parents[a.id] = area
        ids[a.id] = area.pk
    kinds = Counter(Area.objects.values_list("kind", flat=True))
    assert kinds == Counter(a.kind for a in district.areas())

    residents = [
        Resident(
            area_id=ids[h.building_id],
            name=m.name,
            relation=m.relation,
            political_status=m.political_status,
            **seal_personal_data(id_number=m.id_number, phone=m.phone, today=BENCH_TODAY).__dict__,
        )
        for h in district.households()
        for m in h.members
    ]
    Resident.objects.bulk_create(residents)
    assert Resident.objects.count() == len(residents)
