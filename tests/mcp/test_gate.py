"""The gate without Twenty: scope rules and the GraphQL guard (parsed documents, not regexes)."""

import pytest

from mcp_server.gate import GateError, Scope
from mcp_server.graphql_guard import ObjectView, check, root_field_index

PEOPLE = ObjectView(
    "person", "people", {"name": "FULL_NAME", "emails": "EMAILS", "company": "RELATION", "city": "TEXT"}
)
COMPANIES = ObjectView("company", "companies", {"name": "TEXT", "people": "RELATION"})
VIEWS = [PEOPLE, COMPANIES]
ONLY_PEOPLE = Scope.build(False, ["People"])
READ_ONLY = Scope.build(True, None)


def test_scope_names_any_case_singular_or_plural() -> None:
    assert ONLY_PEOPLE.allows_names("person", "people")
    assert Scope.build(False, ["PERSON"]).allows_names("person", "people")
    assert not ONLY_PEOPLE.allows_names("company", "companies")
    with pytest.raises(GateError, match="outside this connection's allowed objects"):
        ONLY_PEOPLE.require_names("company", "companies")
    assert Scope().allows_names("anything", "anythings")


def test_read_only_refuses_writes_with_a_way_out() -> None:
    with pytest.raises(GateError, match=r"read-only.*Reconnect"):
        READ_ONLY.require_write("Tool 'twenty_create_record'")
    Scope().require_write("anything")


def test_root_field_index_covers_twenty_naming() -> None:
    index = root_field_index([PEOPLE])
    for name in (
        "people",
        "person",
        "createPerson",
        "createPeople",
        "updatePeople",
        "deletePerson",
        "destroyPeople",
        "restorePerson",
        "mergePeople",
        "personDuplicates",
        "peopleGroupBy",
    ):
        assert index[name] is PEOPLE


@pytest.mark.parametrize(
    "doc",
    [
        'mutation { createPerson(data: {city: "x"}) { id } }',
        'mutation M { deletePerson(id: "1") { id } }',
        'query A { people { totalCount } } mutation B { destroyPerson(id: "1") { id } }',
        "subscription { onDbEvent { id } }",
    ],
)
def test_read_only_refuses_every_mutation_form(doc: str) -> None:
    with pytest.raises(GateError, match="read-only"):
        check(doc, "graphql", READ_ONLY, VIEWS)


def test_read_only_allows_queries() -> None:
    check("{ people(first: 2) { edges { node { id name { firstName } } } } }", "graphql", READ_ONLY, VIEWS)


@pytest.mark.parametrize(
    "doc",
    [
        "{ companies { edges { node { id } } } }",
        "{ c: companies { totalCount } }",  # alias does not hide the field
        "{ ...F } fragment F on Query { companies { totalCount } }",
        "{ ... on Query { company(filter: {}) { id } } }",
        "{ people { edges { node { company { name } } } } }",  # relation to a hidden object
        '{ search(searchInput: "a") { edges { node { recordId } } } }',  # unmappable root
        "{ unknownRoot { id } }",
        "{ people { edges { node { ...P } } } } fragment P on Person { id }",
    ],
)
def test_allow_list_refuses_escapes(doc: str) -> None:
    with pytest.raises(GateError):
        check(doc, "graphql", ONLY_PEOPLE, VIEWS)


def test_allow_list_accepts_allowed_object_with_composites() -> None:
    check(
        "{ people(first: 3) { totalCount edges { node { id city name { firstName } "
        "emails { primaryEmail } } } pageInfo { endCursor } } }",
        "graphql",
        ONLY_PEOPLE,
        VIEWS,
    )
    check('mutation { updatePerson(id: "1", data: {city: "x"}) { id } }', "graphql", ONLY_PEOPLE, VIEWS)


def test_allow_list_closes_metadata_endpoint() -> None:
    with pytest.raises(GateError, match="metadata"):
        check("{ objects { edges { node { nameSingular } } } }", "metadata", ONLY_PEOPLE, VIEWS)
    check("{ objects { edges { node { nameSingular } } } }", "metadata", Scope(), VIEWS)


def test_syntax_errors_and_empty_documents_are_named() -> None:
    with pytest.raises(GateError, match="syntax error"):
        check("{ people { ", "graphql", Scope(), VIEWS)
    with pytest.raises(GateError, match="no operation"):
        check("fragment F on Person { id }", "graphql", Scope(), VIEWS)
    with pytest.raises(GateError, match="undefined or recursive"):
        check("{ ...Missing }", "graphql", Scope(), VIEWS)


COMPANIES_ONLY = Scope.build(False, ["companies"])
COMPANY_VIEW = ObjectView(
    "company",
    "companies",
    {"name": "TEXT", "accountOwner": "RELATION", "accountOwnerId": "UUID", "address": "ADDRESS"},
)


@pytest.mark.parametrize(
    ("doc", "variables"),
    [
        ('{ companies(filter:{accountOwner:{name:{firstName:{eq:"Tim"}}}}) { totalCount } }', None),
        ('{ companies(filter:{or:[{name:{eq:"x"}},{accountOwner:{id:{eq:"1"}}}]}) { totalCount } }', None),
        ("{ companies(orderBy:[{accountOwner:{name:{firstName:AscNullsFirst}}}]) { totalCount } }", None),
        ("{ companiesGroupBy(groupBy:[{accountOwner:{name:{firstName:true}}}]) { totalCount } }", None),
        (
            "query($f: CompanyFilterInput){ companies(filter:$f) { totalCount } }",
            {"f": {"accountOwner": {"name": {"firstName": {"eq": "Tim"}}}}},
        ),
        (
            "query($f: CompanyFilterInput){ companies(filter:{and:[$f]}) { totalCount } }",
            {"f": {"unknown": 1}},
        ),
        ('{ companies(filter:{searchVector:{eq:"x"}}) { totalCount } }', None),  # not a known field
    ],
)
def test_allow_list_refuses_relation_paths_in_arguments(doc: str, variables: dict | None) -> None:
    with pytest.raises(GateError):
        check(doc, "graphql", COMPANIES_ONLY, [COMPANY_VIEW], variables)


def test_allow_list_accepts_join_columns_and_composites_in_arguments() -> None:
    check(
        '{ companies(filter:{accountOwnerId:{eq:"1"}, address:{addressCity:{eq:"Paris"}}}, '
        "orderBy:[{name:AscNullsFirst}]) { totalCount } }",
        "graphql",
        COMPANIES_ONLY,
        [COMPANY_VIEW],
    )


def test_rest_filter_and_paths_refuse_relations() -> None:
    from mcp_server.scoped_args import check_field_paths, check_rest_filter

    kinds = COMPANY_VIEW.field_types
    with pytest.raises(GateError, match=r"relation 'companies\.accountOwner'"):
        check_rest_filter(kinds, "companies", 'accountOwner.name.firstName[eq]:"Tim"')
    with pytest.raises(GateError, match="relation"):
        check_rest_filter(kinds, "companies", 'or(name[eq]:"x",not(accountOwner.id[eq]:"1"))')
    with pytest.raises(GateError, match="relation"):
        check_field_paths(kinds, "companies", "name[AscNullsFirst],accountOwner.name.firstName", "The order")
    check_rest_filter(kinds, "companies", 'and(accountOwnerId[eq]:"1",address.addressCity[eq]:"Paris")')
