#ifndef DRGW_CCURL_SHIM_H
#define DRGW_CCURL_SHIM_H

#include <curl/curl.h>

// curl_easy_setopt and curl_multi_setopt are variadic, which Swift cannot call.
// These typed wrappers pin each argument type.

static inline CURLcode drgw_easy_setopt_long(CURL *easy, CURLoption option, long value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode drgw_easy_setopt_string(CURL *easy, CURLoption option, const char *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode drgw_easy_setopt_pointer(CURL *easy, CURLoption option, void *value) {
    return curl_easy_setopt(easy, option, value);
}

static inline CURLcode drgw_easy_setopt_off(CURL *easy, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(easy, option, value);
}

typedef size_t (*drgw_data_callback)(char *ptr, size_t size, size_t nmemb, void *userdata);

static inline CURLcode drgw_easy_setopt_write_callback(CURL *easy, drgw_data_callback cb) {
    return curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, cb);
}

static inline CURLcode drgw_easy_setopt_header_callback(CURL *easy, drgw_data_callback cb) {
    return curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, cb);
}

static inline CURLcode drgw_easy_getinfo_long(CURL *easy, CURLINFO info, long *out) {
    return curl_easy_getinfo(easy, info, out);
}

static inline CURLcode drgw_easy_getinfo_pointer(CURL *easy, CURLINFO info, void **out) {
    return curl_easy_getinfo(easy, info, out);
}

static inline CURLMcode drgw_multi_setopt_long(CURLM *multi, CURLMoption option, long value) {
    return curl_multi_setopt(multi, option, value);
}

// CURL_GLOBAL_DEFAULT is a composite macro that Swift does not import.
static inline CURLcode drgw_global_init_default(void) {
    return curl_global_init(CURL_GLOBAL_DEFAULT);
}

static inline CURLMcode drgw_multi_setopt_string(CURLM *multi, CURLMoption option, const char *value) {
    return curl_multi_setopt(multi, option, value);
}

// The multi_socket API: the caller polls the sockets curl names and tells it which one is ready,
// so each event costs one transfer's work instead of a pass over every transfer.
static inline CURLMcode drgw_multi_setopt_socket_callback(CURLM *multi, curl_socket_callback cb) {
    return curl_multi_setopt(multi, CURLMOPT_SOCKETFUNCTION, cb);
}

static inline CURLMcode drgw_multi_setopt_timer_callback(CURLM *multi, curl_multi_timer_callback cb) {
    return curl_multi_setopt(multi, CURLMOPT_TIMERFUNCTION, cb);
}

static inline CURLMcode drgw_multi_setopt_pointer(CURLM *multi, CURLMoption option, void *value) {
    return curl_multi_setopt(multi, option, value);
}

// CURL_SOCKET_TIMEOUT is a macro of a macro; this runs curl's timers.
static inline CURLMcode drgw_multi_socket_timeout(CURLM *multi, int *running) {
    return curl_multi_socket_action(multi, CURL_SOCKET_TIMEOUT, 0, running);
}

#endif
