from domains.dns_records import expected_records
from domains.models import SenderDomain
from tests.dns_server import FixtureDnsServer


def publish(dns: FixtureDnsServer, domain: SenderDomain) -> None:
    """Publish exactly the records the platform asks for."""
    for record in expected_records(domain):
        dns.set(record.host, record.type, [record.value])
