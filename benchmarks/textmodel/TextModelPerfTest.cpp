// Text model: quality and speed on prepared folds (driven by run_benchmark.py), plus Google
// Benchmark micro-benchmarks of prediction and loading.
//
//   bench_textmodel_TextModelPerfTest --folds DIR K [key=value ...]
//       trains on DIR/train_i.jsonl, predicts DIR/test_i.jsonl (i < K; fields "text",
//       "label"), prints one JSON object: per-fold predictions, train / predict seconds,
//       model bytes (in memory and on disk).
//   bench_textmodel_TextModelPerfTest [--benchmark_* flags]
//       micro-benchmarks on DIR from $CK_TEXTMODEL_BENCH_DIR (skipped when unset).
#include <complaintkit/textmodel.hpp>

#include <benchmark/benchmark.h>

#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

namespace {

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("cannot open " + path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

std::string json_string(const std::string& s) {
    std::string o = "\"";
    for (char ch : s) {
        if (ch == '"' || ch == '\\') o += '\\';
        if (static_cast<unsigned char>(ch) < 0x20) {
            char buf[8];
            std::snprintf(buf, sizeof buf, "\\u%04x", ch);
            o += buf;
            continue;
        }
        o += ch;
    }
    return o + "\"";
}

/// Process CPU time: the machine may be shared. (With threads=N the driver reads the wall
/// times, which are recorded too.)
struct cpu_clock {
    using duration = std::chrono::nanoseconds;
    using time_point = std::chrono::time_point<cpu_clock>;
    static time_point now() {
        timespec ts{};
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
        return time_point(duration(static_cast<long long>(ts.tv_sec) * 1000000000LL + ts.tv_nsec));
    }
};

int run_folds(const std::string& dir, int k, const ck::TextModelOptions& opt) {
    using clock = cpu_clock;
    std::ostringstream out;
    out << "{\"folds\":[";
    for (int i = 0; i < k; ++i) {
        const auto train = ck::read_labelled_jsonl(slurp(dir + "/train_" + std::to_string(i) + ".jsonl"));
        const auto test = ck::read_labelled_jsonl(slurp(dir + "/test_" + std::to_string(i) + ".jsonl"));
        std::vector<std::string> texts, labels;
        for (const auto& e : train) {
            texts.push_back(e.text);
            labels.push_back(e.label);
        }
        using wall = std::chrono::steady_clock;
        const auto w0 = wall::now();
        const auto t0 = clock::now();
        const ck::TextModel model = ck::TextModel::train(texts, labels, opt);
        const auto t1 = clock::now();
        const auto w1 = wall::now();
        std::vector<std::string_view> views;
        for (const auto& e : test) views.emplace_back(e.text);
        // prediction on as many threads as training (options' threads; 1 by default)
        const auto pred = model.predict_batch(views, static_cast<unsigned>(opt.threads));
        const auto t2 = clock::now();
        const auto w2 = wall::now();
        const std::string path = dir + "/model_" + std::to_string(i) + ".ckm";
        model.save(path);
        const std::string bytes = slurp(path);
        const auto t3 = clock::now();
        const ck::TextModel loaded = ck::TextModel::load(path);
        const auto t4 = clock::now();
        out << (i ? "," : "") << "{\"train_seconds\":" << std::chrono::duration<double>(t1 - t0).count()
            << ",\"predict_seconds\":" << std::chrono::duration<double>(t2 - t1).count()
            << ",\"train_wall_seconds\":" << std::chrono::duration<double>(w1 - w0).count()
            << ",\"predict_wall_seconds\":" << std::chrono::duration<double>(w2 - w1).count()
            << ",\"load_seconds\":" << std::chrono::duration<double>(t4 - t3).count()
            << ",\"memory_bytes\":" << loaded.memory_bytes() << ",\"file_bytes\":" << bytes.size()
            << ",\"features\":" << model.feature_count() << ",\"temperature\":" << model.temperature()
            << ",\"predicted\":[";
        for (std::size_t j = 0; j < pred.size(); ++j) out << (j ? "," : "") << json_string(model.classes()[pred[j].cls]);
        out << "],\"probability\":[";
        for (std::size_t j = 0; j < pred.size(); ++j) out << (j ? "," : "") << pred[j].probability;
        out << "]}";
    }
    out << "]}\n";
    std::cout << out.str();
    return 0;
}

// ---------------------------------------------------------------- micro-benchmarks

struct Fixture {
    std::vector<ck::LabelledText> train;
    std::vector<std::string> texts;
    std::unique_ptr<ck::TextModel> model;
    std::string path;
};

Fixture* fixture() {
    static Fixture* f = [] {
        auto* fx = new Fixture;
        const char* dir = std::getenv("CK_TEXTMODEL_BENCH_DIR");
        if (!dir) return fx;
        fx->train = ck::read_labelled_jsonl(slurp(std::string(dir) + "/train_0.jsonl"));
        const auto test = ck::read_labelled_jsonl(slurp(std::string(dir) + "/test_0.jsonl"));
        fx->model = std::make_unique<ck::TextModel>(ck::TextModel::train(fx->train));
        for (const auto& e : test) fx->texts.push_back(e.text);
        fx->path = std::string(dir) + "/bench_model.ckm";
        fx->model->save(fx->path);
        return fx;
    }();
    return f;
}

void BM_Predict(benchmark::State& state) {
    Fixture* f = fixture();
    if (!f->model) {
        state.SkipWithError("CK_TEXTMODEL_BENCH_DIR not set");
        return;
    }
    std::size_t i = 0, bytes = 0;
    for (auto _ : state) {
        const auto& t = f->texts[i++ % f->texts.size()];
        benchmark::DoNotOptimize(f->model->predict(t));
        bytes += t.size();
    }
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes));
}
BENCHMARK(BM_Predict);

/// Training on fold 0's training set (default options; the argument is the thread count).
void BM_Train(benchmark::State& state) {
    Fixture* f = fixture();
    if (!f->model) {
        state.SkipWithError("CK_TEXTMODEL_BENCH_DIR not set");
        return;
    }
    ck::TextModelOptions opt;
    opt.threads = static_cast<int>(state.range(0));
    std::size_t bytes = 0;
    for (const auto& e : f->train) bytes += e.text.size();
    for (auto _ : state) benchmark::DoNotOptimize(ck::TextModel::train(f->train, opt));
    state.SetBytesProcessed(static_cast<std::int64_t>(bytes * state.iterations()));
}
BENCHMARK(BM_Train)->Arg(1)->Arg(2)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Load(benchmark::State& state) {
    Fixture* f = fixture();
    if (!f->model) {
        state.SkipWithError("CK_TEXTMODEL_BENCH_DIR not set");
        return;
    }
    for (auto _ : state) benchmark::DoNotOptimize(ck::TextModel::load(f->path));
}
BENCHMARK(BM_Load);

}  // namespace

int main(int argc, char** argv) {
    if (argc >= 4 && std::string(argv[1]) == "--folds") {
        try {
            ck::TextModelOptions opt;
            for (int a = 4; a < argc; ++a) ck::set_textmodel_option(opt, argv[a]);
            return run_folds(argv[2], std::atoi(argv[3]), opt);
        } catch (const std::exception& e) {
            std::cerr << "error: " << e.what() << "\n";
            return 1;
        }
    }
    benchmark::Initialize(&argc, argv);
    benchmark::RunSpecifiedBenchmarks();
    benchmark::Shutdown();
    return 0;
}
