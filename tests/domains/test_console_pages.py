from django.urls import reverse

from tests.factories import SenderAddressFactory, SenderDomainFactory


def test_domain_list_query_count_does_not_grow(
    owner_client, account, django_assert_max_num_queries
):
    SenderDomainFactory.create_batch(8, account=account)

    with django_assert_max_num_queries(8):
        response = owner_client.get(reverse("domains:list"))

    assert response.text.count("Pending verification") == 8


def test_address_list_query_count_does_not_grow(
    owner_client, account, django_assert_max_num_queries
):
    domain = SenderDomainFactory(account=account, verified=True)
    SenderAddressFactory.create_batch(6, domain=domain)

    with django_assert_max_num_queries(9):
        response = owner_client.get(reverse("domains:addresses"))

    assert response.text.count(f"@{domain.name}") >= 6


def test_reviewer_sees_domains_but_no_edit_controls(reviewer_client, account):
    domain = SenderDomainFactory(account=account, name="seen.example.com")

    listing = reviewer_client.get(reverse("domains:list"))
    detail = reviewer_client.get(reverse("domains:detail", args=[domain.pk]))

    assert "seen.example.com" in listing.text
    assert "Owners and operators add domains." in listing.text
    assert "Check now" not in detail.text


def test_overview_counts_domains_and_addresses(owner_client, account):
    SenderDomainFactory(account=account)
    SenderAddressFactory(domain__account=account)

    figures = owner_client.get(reverse("overview")).context["figures"]

    assert (figures.domains, figures.verified_domains, figures.sender_addresses) == (
        2,
        1,
        1,
    )


def test_removing_a_domain_removes_its_addresses(owner_client, account):
    address = SenderAddressFactory(domain__account=account)

    owner_client.post(reverse("domains:delete", args=[address.domain.pk]))

    assert not type(address).objects.filter(pk=address.pk).exists()
