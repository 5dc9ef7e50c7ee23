/* SPDX-License-Identifier: MIT */
/**
 * @file connection.h
 * @brief Momentum's outbound connection API (initiate_connection) over wskport, and
 *        the C functions that set up what it needs: a manager, MultiVIP bindings,
 *        MX routes and domain records.
 *
 * A thin C layer over the C++ API of wskport/connection/ (ConnectionManager, Domain,
 * ConnectionHandle); everything here has the same semantics as its C++ counterpart.
 *
 * Threads. A manager runs its own provider (event loop threads). Every callback of a
 * manager (finish_connect_func, timeout_func, resolve callbacks) runs on a provider
 * thread, never on the thread that calls initiate_connection while that call is
 * running, and never two at once for one manager: they are serialised, as on
 * Momentum's scheduler thread. Callbacks must not block. Every other function may be
 * called from any thread, callbacks included, except where noted.
 *
 * Time. The `now` arguments of the seed API are accepted and ignored: deadlines are
 * measured on a monotonic clock inside the library. Durations below are milliseconds.
 */
#ifndef WSKPORT_MOMENTUM_CONNECTION_H
#define WSKPORT_MOMENTUM_CONNECTION_H

#include <stddef.h>

#include "connection_types.h"

#ifdef __cplusplus
extern "C" {
#endif

/* ------------------------------------------------------------------------------ */
/* The manager                                                                      */
/* ------------------------------------------------------------------------------ */

/** How a manager is built. Fill it with connection_manager_options_init first. */
typedef struct connection_manager_options {
  unsigned threads;                  /**< provider threads (default 1; at least 1) */
  unsigned connect_timeout_ms;       /**< per attempt: Momentum's Connect_Timeout (300 s) */
  unsigned overall_timeout_ms;       /**< every attempt of one initiate_connection (600 s) */
  unsigned host_failure_retry_ms;    /**< an address that failed is skipped this long
                                          (Momentum's Host_Failure_Retry, 120 s) */
  int next_address_on_timeout;       /**< after a per-attempt timeout, try the next address
                                          if the overall deadline allows (default 1) */
  unsigned max_outbound_connections; /**< per domain, every binding (32; 0 = none) */
  unsigned max_outbound_connections_per_binding; /**< per domain and binding (0 = none) */
  unsigned short default_port;                   /**< for MX hosts given port 0 (25) */
} connection_manager_options;

/** Fills @p options with the defaults listed on its fields. Synchronous. */
void connection_manager_options_init(connection_manager_options* options);

/**
 * Creates a manager with its own provider (the platform's backend) and an empty
 * static MX table. Synchronous.
 * @param options null for the defaults.
 * @param error   optional: CONN_ERR_NONE, CONN_ERR_INVALID (threads 0 after init, or
 *                a connect timeout of 0) or CONN_ERR_SOCKET (the provider could not
 *                start).
 * @return the manager, or NULL.
 */
connection_manager* connection_manager_create(const connection_manager_options* options,
                                              int* error);

/**
 * Destroys a manager: closes every connection handle still open (their pointers
 * become invalid), waits until the last socket is closed and the last callback has
 * returned, then stops the provider. Must not be called from a callback. NULL is
 * ignored.
 */
void connection_manager_destroy(connection_manager* m);

/**
 * Adds an MX host for @p domain to the manager's static MX table (the resolver the C
 * API uses). Hosts of equal preference form one level; lower preference is tried
 * first. @p host is a name (resolved through the provider, so "localhost" works) or a
 * numeric IPv4/IPv6 address. @p port 0 means the manager's default port. A domain
 * that has no entry resolves to "not found". Takes effect at the next resolution.
 * @return CONN_ERR_NONE; CONN_ERR_INVALID for a null or empty argument or a value out
 *         of range (preference 0..65535, port 0..65535).
 */
int connection_manager_add_mx(connection_manager* m, const char* domain, const char* host,
                              int preference, int port);

/** Sockets of the manager's provider not yet closed (diagnostics, tests). */
unsigned long connection_manager_open_sockets(const connection_manager* m);

/** Connection objects still alive, handles and attempts being torn down included. */
unsigned long connection_manager_live_connections(const connection_manager* m);

/* ------------------------------------------------------------------------------ */
/* Bindings (MultiVIP)                                                              */
/* ------------------------------------------------------------------------------ */

/**
 * Adds a local source address to the named binding and returns its binding slot.
 * A binding is a named set of source addresses; each address is one slot. Connections
 * from a slot go only to destinations of the slot address's family; "*" means "let
 * the system choose" and matches both families. The port is ignored (always 0).
 * Synchronous.
 * @param source          "192.0.2.10", "2001:db8::10" or "*".
 * @param max_connections open connections from this slot, all domains; 0 = no limit.
 * @return the slot (0, 1, 2, ...), or -1 for a null/empty name or an unparsable
 *         address.
 */
int binding_add(connection_manager* m, const char* binding, const char* source,
                unsigned max_connections);

/**
 * The first slot of @p binding whose family is @p family (4 or 6; a "*" slot matches
 * both), or -1.
 */
int binding_find(const connection_manager* m, const char* binding, int family);

/**
 * 1 if the slot's last bind succeeded (or none happened yet), 0 if the slot is marked
 * unplumbed (its address is not on this host: bind failed with EADDRNOTAVAIL), -1 for
 * an unknown slot. The mark is cleared by the next successful bind from the slot.
 */
int binding_is_plumbed(const connection_manager* m, int binding_slot);

/* ------------------------------------------------------------------------------ */
/* Domain records                                                                   */
/* ------------------------------------------------------------------------------ */

/**
 * The manager's record for @p domain (case-insensitive), created on first use with
 * the manager's limits and unresolved routes. It lives as long as the manager.
 * @return the record, or NULL for a null/empty name.
 */
domain_record* domain_record_get(connection_manager* m, const char* domain);

/** Reports the end of a route resolution: @p error is 0 or a CONN_ERR_* code ORed
 *  with CONN_ACTION_* flags, as initiate_connection would report it. */
typedef void (*domain_resolve_func)(domain_record* dr, int error, void* closure);

/**
 * (Re)resolves the domain's routes: MX lookup, then every MX host's addresses.
 * Asynchronous; @p done (optional) runs once on a provider thread when this or an
 * already running resolution ends. The old routes stay in use until then, and
 * failure counts of MX hosts that remain are kept.
 * @return CONN_ERR_NONE if started (or joined); CONN_ERR_INVALID for a null record.
 */
int domain_record_resolve(domain_record* dr, domain_resolve_func done, void* closure);

/**
 * Resolves as domain_record_resolve and waits at most @p timeout_ms for the result.
 * Must not be called from a callback.
 * @return the resolution's code (0 on success), CONN_ERR_MX_LOOKUP_PENDING if it did
 *         not finish in time, CONN_ERR_INVALID for a null record.
 */
int domain_record_resolve_wait(domain_record* dr, unsigned timeout_ms);

/** Sets the domain's limits (0 = no limit): open connections over all bindings, and
 *  per binding slot. Applies to later initiate_connection calls. */
void domain_record_set_limits(domain_record* dr, unsigned max_connections,
                              unsigned max_per_binding);

/** Open connections of the domain: attempts under way and established connections
 *  whose handle is not closed yet. */
unsigned domain_record_open_connections(const domain_record* dr);

/** MX hosts in the current routes (0 before resolution). Index order: preference,
 *  then the resolver's order. */
int domain_record_mx_count(const domain_record* dr);

/** Consecutive connection failures of MX host @p mx_index (reset by a success); 0 for
 *  a bad index. Refused, reset, unreachable and timed-out connects count; bind
 *  failures and hook aborts do not. */
unsigned long domain_record_mx_failures(const domain_record* dr, int mx_index);

/**
 * 1 if every MX host has at least @p threshold consecutive failures (Momentum's
 * MX_Failures_To_Delay rule; use MX_FAILURES_TO_DELAY_DEFAULT), else 0; always 0 for
 * threshold 0 or a domain without routes. The caller applies the delay
 * (domain_record_delay), as Momentum's caller does.
 */
int domain_record_mx_failures_exceeded(const domain_record* dr, unsigned threshold);

/** Delays the domain for @p delay_ms from now (0 clears the delay): until then
 *  initiate_connection fails with CONN_ERR_NO_MXS_REACHABLE. */
void domain_record_delay(domain_record* dr, unsigned long delay_ms);

/** Milliseconds the domain is still delayed, 0 if not delayed. */
unsigned long domain_record_delayed_ms(const domain_record* dr);

/* ------------------------------------------------------------------------------ */
/* initiate_connection and its handle                                               */
/* ------------------------------------------------------------------------------ */

/**
 * Initiates an outbound connection to @p dr on binding slot @p binding.
 *
 * The addresses of the domain's routes are tried in MX preference order (shuffled
 * within a level; addresses of the slot's family only; addresses marked bad skipped),
 * each with a fresh socket: create the socket, apply the configured options, bind it
 * to the slot's address, run the connection_post_bind hook chain with the native
 * handle and the destination, then connect with the per-attempt timeout, all within
 * the overall deadline. A refused, reset or unreachable connect marks the address bad
 * (for host_failure_retry), counts a failure for its MX, and moves on to the next
 * address at once; so does a timeout (if next_address_on_timeout). A bind failure,
 * a hook abort, a socket or option failure ends the whole attempt.
 *
 * Synchronous part: everything up to the first step that goes pending (normally the
 * connect). If the attempt ends before any step went pending, NULL is returned and
 * no callback runs. Otherwise the handle is returned and exactly one callback runs
 * later, on a provider thread, after this call returned:
 *   - finish_connect_func(NULL, E_WRITE, handle, NULL) once connected;
 *   - finish_connect_func(NULL, E_EXCEPTION, handle, NULL) when the attempt failed
 *     after going pending, with connection_handle_error() telling why;
 *   - timeout_func(NULL, E_TIMEOUT, handle, NULL) when it ended by a timeout
 *     (CONN_ERR_CONNECT_TIMEOUT).
 * A NULL callback is not called. Closing the handle first cancels the callback.
 *
 * @param dr      the domain record (from domain_record_get).
 * @param binding the binding slot (binding_add).
 * @param now     ignored (see the file comment); may be NULL.
 * @param user_data stored in the handle's user_data field.
 * @param error   optional; on NULL return set to one of (CONN_ACTION flags in
 *                brackets, ORed in):
 *   CONN_ERR_INVALID (null dr);
 *   CONN_ERR_MX_LOOKUP_PENDING (routes not resolved: a resolution was started; retry
 *     after domain_record_resolve reports);
 *   CONN_ERR_MX_LOOKUP_FAILED (the last resolution failed: [PURGE_DOMAIN] if the
 *     domain does not exist, [REQUEUE1] for a temporary failure);
 *   CONN_ERR_SMTP_NULL_MX [PURGE_DOMAIN];
 *   CONN_ERR_NO_MXS_REACHABLE ([REQUEUE1] when every usable address is marked bad or
 *     none has the slot's family; no action while the domain is delayed);
 *   CONN_ERR_PROHIBITED_IP [PURGE_DOMAIN];
 *   CONN_ERR_HOST_MAX_REACHED (a limit is reached; no action);
 *   CONN_ERR_SOCKET, CONN_ERR_IOCTL, CONN_ERR_BIND (also an unknown slot),
 *   CONN_ERR_HOOK_ABORT (no action);
 *   CONN_ERR_CONNECT, CONN_ERR_CONNECT_NETWORK, CONN_ERR_CONNECT_TIMEOUT [REQUEUE1]
 *     (every address failed without going pending).
 *   After any failure the caller checks domain_record_mx_failures_exceeded() against
 *   MX_Failures_To_Delay, as in Momentum.
 * @return the handle, or NULL.
 */
connection_handle* initiate_connection(domain_record* dr, int binding, struct timeval* now,
                                       EventFunc finish_connect_func, EventFunc timeout_func,
                                       void* user_data, int* error);

/** 0 while the attempt is under way or once connected; else the final error code
 *  (CONN_ERR_* ORed with CONN_ACTION_*) as listed for initiate_connection. */
int connection_handle_error(const connection_handle* h);

/** 1 if connected, else 0. */
int connection_handle_connected(const connection_handle* h);

/** The connected socket's native handle (fd / SOCKET), or -1 when not connected or
 *  when it does not fit an int. The library owns it. */
int connection_handle_fd(const connection_handle* h);

/**
 * Waits at most @p timeout_ms until the attempt has ended and its callback (if any)
 * has returned. Must not be called from a callback of the same manager.
 * @return 1 if it ended, 0 on timeout.
 */
int connection_handle_wait(connection_handle* h, unsigned timeout_ms);

/**
 * Closes the handle: cancels an attempt under way (no callback will start, and none
 * is running when this returns unless called from that very callback), releases the
 * connection's place in the limits at once, and closes the socket (abortively, as
 * WSK close does) asynchronously, shortly after (see connection_manager_open_sockets).
 * @p h is invalid afterwards. NULL is ignored. Not a failure: no MX failure counted.
 */
void connection_handle_close(connection_handle* h);

#ifdef __cplusplus
}
#endif

#endif /* WSKPORT_MOMENTUM_CONNECTION_H */
