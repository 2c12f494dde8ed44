// --job and --cgroup: which processes reach the views, live and on replay.
#pragma once

#include "app/options.h"
#include "pipeline/pipeline.h"

namespace ft {

void install_filters(const Options& options, Pipeline& pipeline);

// PATH itself or a cgroup below it.
bool cgroup_within(const std::string& cgroup, const std::string& path);

}  // namespace ft
