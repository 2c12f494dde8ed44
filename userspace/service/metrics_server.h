// Serves Metrics::render() at http://ADDR:PORT/metrics from its own threads.
#pragma once

#include <memory>
#include <string>
#include <thread>

namespace httplib {
class Server;
}

namespace ft {

class Metrics;

class MetricsServer {
 public:
  // ADDR:PORT, or [IPv6]:PORT. Null with `error` when it cannot listen.
  static std::unique_ptr<MetricsServer> start(const std::string& address, const Metrics& metrics,
                                              std::string& error);
  ~MetricsServer();
  MetricsServer(const MetricsServer&) = delete;
  MetricsServer& operator=(const MetricsServer&) = delete;

  int port() const { return port_; }

 private:
  MetricsServer() = default;
  std::unique_ptr<httplib::Server> server_;
  std::thread thread_;
  int port_ = 0;
};

// Splits "ADDR:PORT" / "[ADDR]:PORT"; false when malformed.
bool parse_listen_address(const std::string& text, std::string& host, int& port);

}  // namespace ft
