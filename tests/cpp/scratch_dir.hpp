// A scratch directory for one test, removed with everything in it at the end.
#pragma once

#include <filesystem>
#include <string>
#include <unistd.h>

namespace ck::test {

struct ScratchDir {
    std::filesystem::path dir;
    explicit ScratchDir(const std::string& prefix) {
        static int n = 0;
        dir = std::filesystem::temp_directory_path() /
              (prefix + "-" + std::to_string(::getpid()) + "-" + std::to_string(++n));
        std::filesystem::remove_all(dir);
        std::filesystem::create_directories(dir);
    }
    ~ScratchDir() { std::filesystem::remove_all(dir); }
    ScratchDir(const ScratchDir&) = delete;
    ScratchDir& operator=(const ScratchDir&) = delete;
    [[nodiscard]] std::string path(const std::string& name) const { return (dir / name).string(); }
};

}  // namespace ck::test
