/* SPDX-License-Identifier: MIT */
/* The test drivers' Berkeley-sockets layer over WSK (bsd_layer.c). Its functions have the
 * C library's names, as such layers' functions do in real drivers. */
#ifndef WSKPORT_TEST_BSD_LAYER_H
#define WSKPORT_TEST_BSD_LAYER_H

#include <ntddk.h>
#include <wsk.h>

#include <stddef.h>

typedef struct _BSD_ADDRINFO {
  int Family;
  int AddressLength;
  SOCKADDR_STORAGE Address;
  struct _BSD_ADDRINFO* Next;
} BSD_ADDRINFO;

/* Registers with WSK; BsdCleanup deregisters. */
NTSTATUS BsdInitialize(void);
void BsdCleanup(void);
/* Blocks the heap below still holds. */
LONG BsdHeapBlocks(void);

void* malloc(size_t size);
void* calloc(size_t n, size_t size);
void* realloc(void* p, size_t size);
void free(void* p);

/* -1 on any failure, as the C library's; blocking. */
int socket(int domain, int type, int protocol);
int bind(int fd, const SOCKADDR* address, int length);
int listen(int fd, int backlog);
int accept(int fd, SOCKADDR* address, int* length);
int connect(int fd, const SOCKADDR* address, int length);
int getsockname(int fd, SOCKADDR* address, int* length);
int send(int fd, const void* buffer, int length, int flags);
int recv(int fd, void* buffer, int length, int flags);
int close(int fd);
int getaddrinfo(const char* node, const char* service, const BSD_ADDRINFO* hints,
                BSD_ADDRINFO** result);
void freeaddrinfo(BSD_ADDRINFO* list);

#endif /* WSKPORT_TEST_BSD_LAYER_H */
