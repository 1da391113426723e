#ifndef DYNAPI_CLIBPQ_SHIM_H
#define DYNAPI_CLIBPQ_SHIM_H
#include <libpq-fe.h>
/* The pool waits on libpq's sockets with epoll; Glibc's Swift module leaves these out. */
#include <sys/epoll.h>
#include <sys/eventfd.h>
#endif
