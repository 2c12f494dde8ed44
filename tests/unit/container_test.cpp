// container_from_cgroup(): the cgroup path shapes each runtime documents.
#include "core/container.h"

#include <gtest/gtest.h>

#include <vector>

namespace ft {
namespace {

const std::string kId = "b22c5196ea675be45937896a6b1c898475f1760c263629450054343c2d20aff9";
const std::string kPod = "0f3e2a1b-9c8d-4e7f-a6b5-c4d3e2f1a0b9";
const std::string kPodSystemd = "0f3e2a1b_9c8d_4e7f_a6b5_c4d3e2f1a0b9";

Container c(std::string runtime, std::string pod = "") { return Container{kId, std::move(runtime), std::move(pod)}; }

TEST(Container, PodmanCgroupfsAsOnThisMachine) {
  // podman 4.3's cgroupfs manager, in every v1 hierarchy and the v2 line
  EXPECT_EQ(container_from_cgroup("/libpod_parent/libpod-" + kId), c("podman"));
}

TEST(Container, PodmanSystemdRootfulAndRootless) {
  EXPECT_EQ(container_from_cgroup("/machine.slice/libpod-" + kId + ".scope"), c("podman"));
  EXPECT_EQ(container_from_cgroup("/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" + kId +
                                  ".scope"),
            c("podman"));
  // --cgroups=split and a systemd container's own sub-cgroups are the container's
  EXPECT_EQ(container_from_cgroup("/machine.slice/libpod-" + kId + ".scope/container"), c("podman"));
  EXPECT_EQ(container_from_cgroup("/machine.slice/libpod-" + kId + ".scope/init.scope"), c("podman"));
}

TEST(Container, MonitorsBesideTheContainerAreNotInIt) {
  EXPECT_EQ(container_from_cgroup("/machine.slice/libpod-conmon-" + kId + ".scope"), std::nullopt);
  EXPECT_EQ(container_from_cgroup("/system.slice/crio-conmon-" + kId + ".scope"), std::nullopt);
  EXPECT_EQ(container_from_cgroup("/libpod_parent/conmon"), std::nullopt);
}

TEST(Container, Docker) {
  EXPECT_EQ(container_from_cgroup("/system.slice/docker-" + kId + ".scope"), c("docker"));  // systemd driver
  EXPECT_EQ(container_from_cgroup("/docker/" + kId), c("docker"));                          // cgroupfs driver
  EXPECT_EQ(container_from_cgroup("/system.slice/docker.service"), std::nullopt);           // the daemon
}

TEST(Container, DockerInDockerIsTheInnerContainer) {
  std::string outer(64, 'a');
  EXPECT_EQ(container_from_cgroup("/docker/" + outer + "/docker/" + kId), c("docker"));
}

TEST(Container, KubernetesSystemdDriver) {
  std::string pods = "/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" + kPodSystemd + ".slice/";
  EXPECT_EQ(container_from_cgroup(pods + "cri-containerd-" + kId + ".scope"), c("containerd", kPod));
  EXPECT_EQ(container_from_cgroup(pods + "crio-" + kId + ".scope"), c("cri-o", kPod));
  EXPECT_EQ(container_from_cgroup(pods + "docker-" + kId + ".scope"), c("docker", kPod));
  // guaranteed pods sit right under kubepods.slice
  EXPECT_EQ(container_from_cgroup("/kubepods.slice/kubepods-pod" + kPodSystemd + ".slice/cri-containerd-" + kId +
                                  ".scope"),
            c("containerd", kPod));
  // the pod's own cgroup (its sandbox's parent) is not a container
  EXPECT_EQ(container_from_cgroup(pods.substr(0, pods.size() - 1)), std::nullopt);
}

TEST(Container, KubernetesCgroupfsDriverNamesNoRuntime) {
  EXPECT_EQ(container_from_cgroup("/kubepods/burstable/pod" + kPod + "/" + kId), c("cri", kPod));
  EXPECT_EQ(container_from_cgroup("/kubepods/pod" + kPod + "/" + kId), c("cri", kPod));
  EXPECT_EQ(container_from_cgroup("/kubepods/pod" + kPod + "/crio-" + kId), c("cri-o", kPod));
}

TEST(Container, ContainerdOutsideKubernetes) {
  EXPECT_EQ(container_from_cgroup("/system.slice/nerdctl-" + kId + ".scope"), c("containerd"));
  EXPECT_EQ(container_from_cgroup("/default/" + kId), c(""));  // cgroupfs: /<namespace>/<id>
}

TEST(Container, NotContainers) {
  for (const std::string& path : std::vector<std::string>{"", "/", "/user.slice/user-0.slice/session-1.scope", "/system.slice/ssh.service",
                           "/docker", "/libpod_parent/libpod-" + kId.substr(1), "/docker/" + kId + "x",
                           "/docker/" + std::string(64, 'G'), "/kubepods/podnot-a-uid/" + std::string(63, 'a')})
    EXPECT_EQ(container_from_cgroup(path), std::nullopt) << path;
}

TEST(Container, ShortIdIsTwelveDigits) { EXPECT_EQ(c("podman").short_id(), "b22c5196ea67"); }

}  // namespace
}  // namespace ft
