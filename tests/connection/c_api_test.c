/* SPDX-License-Identifier: MIT */
/*
 * Compiled as C (C11, -Wpedantic): the seed pages' headers, included exactly as the
 * Momentum documentation shows, must compile unchanged and work from C.
 *
 * Hooks and callbacks may run on provider threads; everything they write is read only
 * after connection_handle_wait() returned, which orders those writes before the reads.
 */
#include <stdio.h>
#include <string.h>

#include "connection.h"
#include "hooks/core/connection_post_bind.h"

static char hook_order[32];
static size_t hook_order_length;
static int finish_calls;
static int timeout_calls;
static int last_eventtype;
static void* seen_user_data;

static void note(char c) {
  if (hook_order_length + 1 < sizeof hook_order) {
    hook_order[hook_order_length++] = c;
    hook_order[hook_order_length] = '\0';
  }
}

static int hook_first(void* closure, domain_record* dr, int binding_slot, int fd,
                      struct sockaddr* addr, int addr_len) {
  (void)closure;
  (void)dr;
  (void)binding_slot;
  (void)addr;
  note(fd >= 0 && addr_len > 0 ? 'F' : 'x');
  return 0;
}

static int hook_last(void* closure, domain_record* dr, int binding_slot, int fd,
                     struct sockaddr* addr, int addr_len) {
  (void)closure;
  (void)dr;
  (void)binding_slot;
  (void)fd;
  (void)addr;
  (void)addr_len;
  note('L');
  return 0;
}

static int hook_veto(void* closure, domain_record* dr, int binding_slot, int fd,
                     struct sockaddr* addr, int addr_len) {
  (void)closure;
  (void)dr;
  (void)binding_slot;
  (void)fd;
  (void)addr;
  (void)addr_len;
  return 42;
}

static int on_finish(Event* e, int eventtype, void* closure, struct timeval* now) {
  connection_handle* h = (connection_handle*)closure;
  (void)e;
  (void)now;
  ++finish_calls;
  last_eventtype = eventtype;
  seen_user_data = h->user_data;
  return 0;
}

static int on_timeout(Event* e, int eventtype, void* closure, struct timeval* now) {
  (void)e;
  (void)closure;
  (void)now;
  ++timeout_calls;
  last_eventtype = eventtype;
  return 0;
}

/*
 * The scenario, run by end_to_end_test.cpp. Drives the seed's C API end to end: a manager, a
 * binding on 127.0.0.2, two MX hosts on 127.0.0.1 (@p refused_port refuses, @p good_port accepts),
 * post-bind hooks registered first and last, a hook veto, a limit and a delay.
 * @return 0 on success; otherwise non-zero with a description in @p message.
 */
int wskport_c_api_scenario(unsigned short good_port, unsigned short refused_port, char* message,
                           size_t message_size);

#define CHECK(condition, what)                                                                   \
  do {                                                                                           \
    if (!(condition)) {                                                                          \
      snprintf(message, message_size, "%s (c_api_test.c line %d, error %d: %s)", what, __LINE__, \
               error, conn_error_name(error));                                                   \
      goto out;                                                                                  \
    }                                                                                            \
  } while (0)

int wskport_c_api_scenario(unsigned short good_port, unsigned short refused_port, char* message,
                           size_t message_size) {
  static int user_tag;
  int result = 1;
  int error = 0;
  int slot = -1;
  connection_manager_options options;
  connection_manager* m = NULL;
  domain_record* dr = NULL;
  connection_handle* h = NULL;
  connection_handle* second = NULL;
  ec_hook_core_connection_post_bind_func_t typed = hook_first;

  hook_order[0] = '\0';
  hook_order_length = 0;
  finish_calls = 0;
  timeout_calls = 0;
  last_eventtype = 0;
  seen_user_data = NULL;

  connection_manager_options_init(&options);
  options.connect_timeout_ms = 10000;
  options.overall_timeout_ms = 20000;
  m = connection_manager_create(&options, &error);
  CHECK(m != NULL && error == CONN_ERR_NONE, "connection_manager_create");

  slot = binding_add(m, "c-vip", "127.0.0.2", 0);
  CHECK(slot >= 0, "binding_add");
  CHECK(binding_find(m, "c-vip", 4) == slot, "binding_find");
  CHECK(binding_find(m, "c-vip", 6) == -1, "binding_find (no IPv6 slot)");
  CHECK(binding_is_plumbed(m, slot) == 1, "binding_is_plumbed");
  CHECK(connection_manager_add_mx(m, "c.example", "127.0.0.1", 10, refused_port) == 0, "mx 10");
  CHECK(connection_manager_add_mx(m, "c.example", "127.0.0.1", 20, good_port) == 0, "mx 20");
  dr = domain_record_get(m, "c.example");
  CHECK(dr != NULL, "domain_record_get");

  h = initiate_connection(dr, slot, NULL, on_finish, on_timeout, &user_tag, &error);
  CHECK(h == NULL && CONN_ERROR(error) == CONN_ERR_MX_LOOKUP_PENDING && CONN_ACTION(error) == 0,
        "an unresolved domain reports MX_LOOKUP_PENDING");
  error = domain_record_resolve_wait(dr, 10000);
  CHECK(error == 0, "domain_record_resolve_wait");
  CHECK(domain_record_mx_count(dr) == 2, "domain_record_mx_count");

  CHECK(has_core_connection_post_bind_hook() == 0, "no hook registered yet");
  register_core_connection_post_bind_hook_last(hook_last, NULL);
  register_core_connection_post_bind_hook_first(typed, NULL);
  CHECK(has_core_connection_post_bind_hook() == 1, "has_core_connection_post_bind_hook");

  h = initiate_connection(dr, slot, NULL, on_finish, on_timeout, &user_tag, &error);
  CHECK(h != NULL && error == 0, "initiate_connection");
  CHECK(h->user_data == &user_tag && h->binding_slot == slot, "handle fields");
  CHECK(connection_handle_wait(h, 10000) == 1, "connection_handle_wait");
  CHECK(finish_calls == 1 && timeout_calls == 0, "finish_connect_func ran once");
  CHECK(last_eventtype == E_WRITE && seen_user_data == &user_tag, "finish arguments");
  error = connection_handle_error(h);
  CHECK(error == 0 && connection_handle_connected(h) == 1, "connected");
  CHECK(connection_handle_fd(h) >= 0, "connection_handle_fd");
  CHECK(strcmp(hook_order, "FLFL") == 0, "hooks ran first-then-last, once per address");
  CHECK(domain_record_mx_failures(dr, 0) == 1 && domain_record_mx_failures(dr, 1) == 0,
        "the refused MX counted one failure");
  CHECK(domain_record_mx_failures_exceeded(dr, MX_FAILURES_TO_DELAY_DEFAULT) == 0,
        "MX_Failures_To_Delay not reached");
  CHECK(domain_record_open_connections(dr) == 1, "one open connection");
  connection_handle_close(h);
  h = NULL;

  register_core_connection_post_bind_hook_first(hook_veto, NULL);
  h = initiate_connection(dr, slot, NULL, on_finish, on_timeout, NULL, &error);
  CHECK(h == NULL && error == CONN_ERR_HOOK_ABORT, "a hook veto aborts the attempt");
  CHECK(strcmp(conn_error_name(error), "CONN_ERR_HOOK_ABORT") == 0, "conn_error_name");
  CHECK(CONN_ERROR_HOOK_ABORT == CONN_ERR_HOOK_ABORT, "both spellings");
  CHECK(unregister_core_connection_post_bind_hook(hook_veto, NULL) == 1, "unregister veto");

  domain_record_set_limits(dr, 1, 0);
  h = initiate_connection(dr, slot, NULL, NULL, NULL, NULL, &error);
  CHECK(h != NULL, "initiate without callbacks");
  CHECK(connection_handle_wait(h, 10000) == 1 && connection_handle_connected(h) == 1,
        "connected without callbacks");
  second = initiate_connection(dr, slot, NULL, NULL, NULL, NULL, &error);
  CHECK(second == NULL && error == CONN_ERR_HOST_MAX_REACHED, "the domain limit");
  connection_handle_close(h);
  h = NULL;

  domain_record_delay(dr, 60000);
  CHECK(domain_record_delayed_ms(dr) > 0, "domain_record_delayed_ms");
  second = initiate_connection(dr, slot, NULL, NULL, NULL, NULL, &error);
  CHECK(second == NULL && error == CONN_ERR_NO_MXS_REACHABLE, "a delayed domain");
  domain_record_delay(dr, 0);
  CHECK(domain_record_delayed_ms(dr) == 0, "delay cleared");

  error = 0;
  h = initiate_connection(NULL, slot, NULL, NULL, NULL, NULL, &error);
  CHECK(h == NULL && error == CONN_ERR_INVALID, "a null domain record");
  result = 0;

out:
  if (h != NULL) connection_handle_close(h);
  (void)unregister_core_connection_post_bind_hook(hook_veto, NULL);
  (void)unregister_core_connection_post_bind_hook(hook_first, NULL);
  (void)unregister_core_connection_post_bind_hook(hook_last, NULL);
  connection_manager_destroy(m);
  return result;
}
