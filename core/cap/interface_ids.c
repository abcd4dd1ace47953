/* See interface_ids.h. */
#include "core/cap/interface_ids.h"

const char *captls_interface_name(captls_interface_id id)
{
    switch (id) {
    case CAPTLS_IFACE_ANY: return "any";
    case CAPTLS_IFACE_WALL_CLOCK: return "WallClock";
    case CAPTLS_IFACE_ENTROPY_SOURCE: return "EntropySource";
    case CAPTLS_IFACE_TCP_LISTENER: return "TcpListener";
    case CAPTLS_IFACE_BYTE_STREAM: return "ByteStream";
    case CAPTLS_IFACE_AUDIT_LOG: return "AuditLog";
    case CAPTLS_IFACE_BLOB_STORE: return "BlobStore";
    case CAPTLS_IFACE_TRUST_STORE: return "TrustStore";
    case CAPTLS_IFACE_TRUST_STORE_WRITER: return "TrustStoreWriter";
    case CAPTLS_IFACE_CERT_VERIFIER: return "CertVerifier";
    case CAPTLS_IFACE_CERTIFICATE_STORE: return "CertificateStore";
    case CAPTLS_IFACE_KEY_VAULT: return "KeyVault";
    case CAPTLS_IFACE_PRIVATE_KEY: return "PrivateKey";
    case CAPTLS_IFACE_CT_LOG: return "CtLog";
    case CAPTLS_IFACE_OCSP_RESPONDER: return "OcspResponder";
    case CAPTLS_IFACE_ACME_CLIENT: return "AcmeClient";
    case CAPTLS_IFACE_CHALLENGE_SOLVER: return "ChallengeSolver";
    case CAPTLS_IFACE_TLS_SERVER_CONFIG: return "TlsServerConfig";
    case CAPTLS_IFACE_TLS_CLIENT_CONFIG: return "TlsClientConfig";
    case CAPTLS_IFACE_KEY_SOURCE: return "KeySource";
    case CAPTLS_IFACE_CERT_SUBSCRIPTION: return "CertSubscription";
    case CAPTLS_IFACE_TERMINAL_SESSION: return "TerminalSession";
    case CAPTLS_IFACE_USER_SESSION: return "UserSession";
    case CAPTLS_IFACE_SESSION_MANAGER: return "SessionManager";
    case CAPTLS_IFACE_AUTHORITY_BROKER: return "AuthorityBroker";
    case CAPTLS_IFACE_ECHO: return "Echo";
    case CAPTLS_IFACE_NOTIFIER: return "Notifier";
    case CAPTLS_IFACE_TICKET_KEY: return "TicketKey";
    default: return "unknown";
    }
}
