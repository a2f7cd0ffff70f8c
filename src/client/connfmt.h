/* SPDX-License-Identifier: GPL-2.0-only */
/* How a connection reads: endpoints, states, --list's table and JSON lines. */
#ifndef NETATOP_CONNFMT_H
#define NETATOP_CONNFMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "connproto.h"

/* Room for "[ffff:...:ffff]:65535" and its NUL. */
#define NT_ENDPOINT_MAX 56

/* "10.0.0.1:443", "[2001:db8::1]:443"; "*" for no address and port (unconnected UDP). */
char *nt_conn_endpoint(char *buf, size_t len, unsigned int family, const unsigned char addr[16],
		       unsigned int port);

/* The remote end: an endpoint, "*", or "other peers" for the rest of a UDP socket's peers. */
char *nt_conn_remote(char *buf, size_t len, const struct nt_conn_entry *e);

/* "ESTABLISHED", "LISTEN", ...; UDP: "CONNECTED" or "-"; "CLOSED" once closed. */
const char *nt_conn_state_name(const struct nt_conn_entry *e);

/* "tcp", "udp", "tcp6", "udp6" */
const char *nt_conn_proto_name(const struct nt_conn_entry *e);

/* No remote peer: an unconnected UDP socket, a listener. */
bool nt_conn_no_peer(const struct nt_conn_entry *e);

void nt_connfmt_table_header(FILE *out);
void nt_connfmt_table_line(FILE *out, const struct nt_conn_entry *e);
void nt_connfmt_json_line(FILE *out, const struct nt_conn_entry *e);

/* Biggest total bytes first, then pid, then the local port. */
void nt_conns_sort(struct nt_conn_entry *e, size_t n);

#endif
