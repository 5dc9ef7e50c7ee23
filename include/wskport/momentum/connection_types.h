/* SPDX-License-Identifier: MIT */
/**
 * @file connection_types.h
 * @brief The types and codes shared by "connection.h" and the hook headers: the
 *        domain record, the connection handle, EventFunc, the CONN_ERR_* /
 *        CONN_ACTION_* codes of Momentum's initiate_connection, and the macro that
 *        declares a hook point's functions (WSKPORT_DECLARE_HOOK).
 *
 * C linkage, C89-compatible declarations (also valid C++). No platform header is
 * included: `struct sockaddr` and `struct timeval` are only declared, because the
 * functions take pointers to them; the hook receives the platform's native sockaddr
 * (sockaddr_in / sockaddr_in6 with the platform's AF_* values).
 *
 * The numeric values here are wskport's own. Momentum does not publish its values,
 * so these are NOT binary compatible with ecelerity: recompile code that uses them.
 */
#ifndef WSKPORT_MOMENTUM_CONNECTION_TYPES_H
#define WSKPORT_MOMENTUM_CONNECTION_TYPES_H

#ifdef __cplusplus
extern "C" {
#endif

/* Declared at file scope so that the prototypes below name the same struct as the
 * platform's <sys/socket.h>, <sys/time.h> or <winsock2.h>, whichever comes first. */
struct sockaddr;
struct timeval;

/** A destination domain: its MX hosts by preference, their addresses, open
 *  connections, failure bookkeeping and limits. Opaque; owned by its manager. */
typedef struct domain_record domain_record;

/** A connection manager: a provider, the MultiVIP bindings, the MX resolver and the
 *  domain records. Opaque. */
typedef struct connection_manager connection_manager;

/** The event object of Momentum's scheduler. wskport has no such object: callbacks
 *  always receive a null Event pointer. */
typedef struct wskport_event Event;

/**
 * An event callback, as in Momentum's event.h.
 * @param e          always NULL here (see Event).
 * @param eventtype  E_WRITE (connected), E_EXCEPTION (failed after going pending) or
 *                   E_TIMEOUT (timed out).
 * @param closure    the connection_handle the event concerns.
 * @param now        always NULL: the library keeps time with a monotonic clock and,
 *                   having no platform header, cannot fill a struct timeval (Momentum
 *                   also passes NULL to some callbacks). Call gettimeofday if needed.
 * @return ignored (Momentum requires 0).
 */
typedef int (*EventFunc)(Event* e, int eventtype, void* closure, struct timeval* now);

/** eventtype values passed to EventFunc. */
#define E_READ 0x01
#define E_WRITE 0x02
#define E_EXCEPTION 0x04
#define E_TIMEOUT 0x08

/**
 * A connection handle, returned by initiate_connection and passed as the closure of
 * its callbacks. Valid until connection_handle_close() returns.
 */
typedef struct connection_handle {
  int binding_slot; /**< the binding slot given to initiate_connection */
  void* user_data;  /**< initiate_connection's user_data; the library never reads it */
  void* impl;       /**< library-private */
} connection_handle;

/* ---- Error codes: CONN_ERR_* in the low byte, CONN_ACTION_* flags above it. ---- */

#define CONN_ERR_NONE 0
/** MX or address lookup failed (with PURGE_DOMAIN when the domain does not exist). */
#define CONN_ERR_MX_LOOKUP_FAILED 1
/** The domain's routes are being resolved; retry when domain_record_resolve reports. */
#define CONN_ERR_MX_LOOKUP_PENDING 2
/** The domain publishes a null MX (RFC 7505): it accepts no mail. */
#define CONN_ERR_SMTP_NULL_MX 3
/** No address can be tried: every one is marked bad, none matches the binding's
 *  family, or the domain is delayed. */
#define CONN_ERR_NO_MXS_REACHABLE 4
/** A route resolves to a prohibited address. */
#define CONN_ERR_PROHIBITED_IP 5
/** A connection limit (domain, domain and binding, or binding) is reached. */
#define CONN_ERR_HOST_MAX_REACHED 6
/** The socket could not be created (or its handle cannot be given to the hook). */
#define CONN_ERR_SOCKET 7
/** A socket option configured for outbound sockets could not be set. */
#define CONN_ERR_IOCTL 8
/** The bind to the binding slot's address failed; an address this host lacks
 *  (EADDRNOTAVAIL) also marks the slot unplumbed. Also: an unknown binding slot. */
#define CONN_ERR_BIND 9
/** connect() failed: refused, reset, or another error of the remote side. */
#define CONN_ERR_CONNECT 10
/** connect() failed: network or host unreachable. */
#define CONN_ERR_CONNECT_NETWORK 11
/** connect() did not complete within the per-attempt timeout or the overall deadline. */
#define CONN_ERR_CONNECT_TIMEOUT 12
/** A connection_post_bind hook returned non-zero: the attempt was aborted before
 *  connect(). Not counted as an MX failure (a local policy decision). */
#define CONN_ERR_HOOK_ABORT 13
/** A null domain record or another unusable argument (a wskport addition). */
#define CONN_ERR_INVALID 14

/* The spelling of Momentum's log_client_connection_failure page. */
#define CONN_ERROR_NONE CONN_ERR_NONE
#define CONN_ERROR_MX_LOOKUP_FAILED CONN_ERR_MX_LOOKUP_FAILED
#define CONN_ERROR_MX_LOOKUP_PENDING CONN_ERR_MX_LOOKUP_PENDING
#define CONN_ERROR_SMTP_NULL_MX CONN_ERR_SMTP_NULL_MX
#define CONN_ERROR_NO_MXS_REACHABLE CONN_ERR_NO_MXS_REACHABLE
#define CONN_ERROR_PROHIBITED_IP CONN_ERR_PROHIBITED_IP
#define CONN_ERROR_HOST_MAX_REACHED CONN_ERR_HOST_MAX_REACHED
#define CONN_ERROR_SOCKET CONN_ERR_SOCKET
#define CONN_ERROR_IOCTL CONN_ERR_IOCTL
#define CONN_ERROR_BIND CONN_ERR_BIND
#define CONN_ERROR_CONNECT CONN_ERR_CONNECT
#define CONN_ERROR_CONNECT_NETWORK CONN_ERR_CONNECT_NETWORK
#define CONN_ERROR_CONNECT_TIMEOUT CONN_ERR_CONNECT_TIMEOUT
#define CONN_ERROR_HOOK_ABORT CONN_ERR_HOOK_ABORT
#define CONN_ERROR_INVALID CONN_ERR_INVALID

/** Take one message from the binding's active queue and requeue it. */
#define CONN_ACTION_REQUEUE1 0x0100
/** Purge the whole domain (every binding), not just this binding. */
#define CONN_ACTION_PURGE_DOMAIN 0x0200

#define CONN_ERR_MASK 0x00FF
#define CONN_ACTION_MASK 0xFF00
/** The CONN_ERR_* part of an error value. */
#define CONN_ERROR(x) ((x)&CONN_ERR_MASK)
/** The CONN_ACTION_* flags of an error value. */
#define CONN_ACTION(x) ((x)&CONN_ACTION_MASK)

/** Momentum's MX_Failures_To_Delay default: consecutive failures on every MX of a
 *  domain before the caller delays the domain. */
#define MX_FAILURES_TO_DELAY_DEFAULT 50

/**
 * The name of a code's error part ("CONN_ERR_BIND"), or "CONN_ERR_UNKNOWN". Never
 * NULL; static storage. Thread-safe.
 */
const char* conn_error_name(int code);

#ifdef __cplusplus
}
#endif

/* ------------------------------------------------------------------------------ */
/* Declaring a hook point's C functions once, as Momentum's EC_DECLARE_HOOK does:
 *
 *   WSKPORT_DECLARE_HOOK(module, name, typedefargs, declargs);
 *
 * declares, with C linkage:
 *   - typedef int (*ec_hook_<module>_<name>_func_t) typedefargs;
 *     (typedefargs starts with `void *closure`)
 *   - int  has_<module>_<name>_hook(void);
 *   - void register_<module>_<name>_hook_first(ec_hook_<module>_<name>_func_t hook,
 *                                               void *closure);
 *   - void register_<module>_<name>_hook_last(ec_hook_<module>_<name>_func_t hook,
 *                                              void *closure);
 *   - int  unregister_<module>_<name>_hook(ec_hook_<module>_<name>_func_t hook,
 *                                          void *closure);  (a wskport addition)
 *   - int  call_<module>_<name>_hook declargs;
 *
 * Unlike Momentum's macro it only declares: the provider list lives in the library
 * (common/hooks/), which defines the functions with WSKPORT_DEFINE_HOOK over the
 * C++ template wskport::hooks::HookPoint, so every module of a process sees one list.
 *
 * Semantics shared by every hook declared this way (the value-returning, "veto"
 * kind, whose Momentum handleret is `if (EC_HOOK_RETVAL != 0) EC_HOOK_RETURN(...)`):
 *   - Order: `_first` puts the provider ahead of every provider registered so far,
 *     `_last` after every one (Momentum's rule). So register_last(A), then
 *     register_first(B), register_first(C), register_last(D) run C, B, A, D.
 *   - call_ runs the providers in that order; the first non-zero return stops the
 *     chain and is returned; 0 when every provider returned 0 or there is none.
 *   - call_ takes no lock: it reads a copy-on-write snapshot of the list, so providers
 *     may run on several threads at once, and may register or unregister providers
 *     (taking effect for later calls).
 *   - Registration and unregistration are thread-safe and may happen at any time.
 *     The same (hook, closure) pair may be registered more than once; it then runs
 *     once per registration.
 *   - unregister_ removes the first registration, in chain order, of (hook, closure):
 *     returns 1, or 0 if there is none. When it returns, that provider is not running
 *     on any other thread and will not be called again, so its closure may be freed.
 *     Called from inside that very provider, it does not wait for itself.
 */
/* The last declaration has no semicolon, so that a use written with one, as a
 * declaration, does not leave an empty declaration behind (-Wpedantic). */
#define WSKPORT_DECLARE_HOOK(module, name, typedefargs, declargs)                                  \
  typedef int(*ec_hook_##module##_##name##_func_t) typedefargs;                                    \
  int has_##module##_##name##_hook(void);                                                          \
  void register_##module##_##name##_hook_first(ec_hook_##module##_##name##_func_t hook,            \
                                               void* closure);                                     \
  void register_##module##_##name##_hook_last(ec_hook_##module##_##name##_func_t hook,             \
                                              void* closure);                                      \
  int unregister_##module##_##name##_hook(ec_hook_##module##_##name##_func_t hook, void* closure); \
  int call_##module##_##name##_hook declargs

#endif /* WSKPORT_MOMENTUM_CONNECTION_TYPES_H */
