#include "service/metrics_server.h"

#include <httplib.h>

#include <cstdlib>

#include "service/metrics.h"

namespace ft {

bool parse_listen_address(const std::string& text, std::string& host, int& port) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == text.size()) return false;
  host = text.substr(0, colon);
  if (host.front() == '[') {
    if (host.back() != ']') return false;
    host = host.substr(1, host.size() - 2);
  }
  char* end = nullptr;
  long p = std::strtol(text.c_str() + colon + 1, &end, 10);
  if (*end || p < 0 || p > 65535) return false;
  port = static_cast<int>(p);
  return !host.empty();
}

std::unique_ptr<MetricsServer> MetricsServer::start(const std::string& address, const Metrics& metrics,
                                                    std::string& error) {
  std::string host;
  int port = 0;
  if (!parse_listen_address(address, host, port)) {
    error = "--metrics " + address + ": expected ADDR:PORT, such as 127.0.0.1:9464";
    return nullptr;
  }
  std::unique_ptr<MetricsServer> s(new MetricsServer());
  s->server_ = std::make_unique<httplib::Server>();
  // A scraper that stalls gives up its thread; scrapes never touch event intake.
  s->server_->set_read_timeout(5, 0);
  s->server_->set_write_timeout(5, 0);
  s->server_->set_keep_alive_max_count(10);
  s->server_->Get("/metrics", [&metrics](const httplib::Request&, httplib::Response& res) {
    res.set_content(metrics.render(), "text/plain; version=0.0.4; charset=utf-8");
  });
  s->server_->Get("/", [](const httplib::Request&, httplib::Response& res) {
    res.set_content("forktrace: metrics at /metrics\n", "text/plain");
  });
  if (port == 0) {
    s->port_ = s->server_->bind_to_any_port(host);
  } else {
    s->port_ = s->server_->bind_to_port(host, port) ? port : -1;
  }
  if (s->port_ < 0) {
    error = "--metrics " + address + ": cannot listen there (in use, or not an address of this machine)";
    return nullptr;
  }
  s->thread_ = std::thread([server = s->server_.get()] { server->listen_after_bind(); });
  return s;
}

MetricsServer::~MetricsServer() {
  if (server_) server_->stop();
  if (thread_.joinable()) thread_.join();
}

}  // namespace ft
