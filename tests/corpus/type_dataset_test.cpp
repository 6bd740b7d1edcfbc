// The type-inference builder: exact stripped tokens and labels for hand-written TypeScript and Python
// with every annotation kind, the stripped source re-parsing cleanly, skip reasons, and the corpus path
// end to end (split files in the ManyTypes4TypeScript format, manifest, byte-identical reruns).
#include "codessm/corpus/type_dataset.h"

#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "codessm/core/error.h"
#include "codessm/core/io.h"
#include "codessm/parse/ts_parser.h"
#include "test_utils.h"

using namespace codessm::corpus;
using codessm::parse::Language;
namespace fs = std::filesystem;

namespace {

std::string joined(const std::vector<std::string>& v) {
  std::string s;
  for (const auto& t : v) s += (s.empty() ? "" : " ") + t;
  return s;
}

// "token:label" for every labelled token, in order.
std::vector<std::string> labelled(const codessm::benchmarks::TokenExample& e) {
  std::vector<std::string> out;
  for (size_t i = 0; i < e.tokens.size(); ++i)
    if (!e.labels[i].empty()) out.push_back(e.tokens[i] + ":" + e.labels[i]);
  return out;
}

bool reparses(const std::string& src, Language lang) {
  return !codessm::parse::Parser(lang).parse(src).has_error;
}

const char* const kTypeScript = R"(function add(a: number, b?: string, ...rest: any[]): number {
  return a; // a comment
}
let xs: Array<number> = [];
let d!: boolean;
class P {
  private name: string = "";
  constructor(public q: number) {}
  get size(): number { return 1; }
}
interface I {
  p: {
    x: number,
    y: string };
  f(k: number): void;
  [key: string]: any;
}
try {} catch (e: unknown) {}
)";

const char* const kPython = R"(def f(a: int, b: "Foo" = None, *args: str, c=3, **kw: Dict[str, int]) -> List[int]:
    # a comment
    x: Dict[str,
            int] = {}
    self.y: Optional[str] = None
    z: float
    return x
)";

}  // namespace

TEST(TypeDataset, TypeScriptStripsEveryAnnotationAndLabelsTheDeclarations) {
  const auto r = make_type_example(kTypeScript, Language::kTypeScript, "t.ts");
  ASSERT_TRUE(r.ok) << r.skip_reason;
  EXPECT_EQ(joined(r.example.tokens),
            "function add ( a , b ? , ... rest ) { return a ; } let xs = [ ] ; let d ; "
            "class P { private name = \"\" ; constructor ( public q ) { } get size ( ) { return 1 ; } } "
            "interface I { p ; f ( k ) ; [ key : string ] : any ; } try { } catch ( e ) { }");
  EXPECT_EQ(labelled(r.example),
            (std::vector<std::string>{"add:number", "a:number", "b:string", "rest:any[]", "xs:Array<number>",
                                      "d:boolean", "name:string", "q:number", "size:number",
                                      "p:{ x: number, y: string }", "f:void", "k:number", "e:unknown"}));
  EXPECT_EQ(r.example.labels.size(), r.example.tokens.size());
  EXPECT_TRUE(reparses(r.stripped_source, Language::kTypeScript)) << r.stripped_source;
  EXPECT_EQ(r.counts.annotations, 13u);  // `x: number` inside p's type is part of p's annotation
  EXPECT_EQ(r.counts.labelled_tokens, 13u);
  EXPECT_EQ(r.counts.label_lost, 0u);
  EXPECT_EQ(r.counts.kinds.at("parameter"), 6u);
  EXPECT_EQ(r.counts.kinds.at("return"), 3u);
  EXPECT_EQ(r.counts.kinds.at("property"), 2u);
  EXPECT_EQ(r.counts.kinds.at("variable"), 2u);
  EXPECT_EQ(r.counts.kept.at("index_signature"), 1u);  // `[key: string]: any` needs its type
}

TEST(TypeDataset, TypeScriptLeaksAndUnlabelledSites) {
  const std::string src =
      "const m = new Map<string, number>();\n"
      "const n = y as unknown as T;\n"
      "const v = <T>w;\n"
      "const h = (s: string): boolean => true;\n"
      "function g(this: Window, { a }: Opts, k: number) { return id<number>(a); }\n";
  const auto r = make_type_example(src, Language::kTypeScript, "leaks.ts");
  ASSERT_TRUE(r.ok) << r.skip_reason;
  EXPECT_EQ(joined(r.example.tokens),
            "const m = new Map ( ) ; const n = y ; const v = w ; const h = ( s ) => true ; "
            "function g ( this , { a } , k ) { return id ( a ) ; }");
  EXPECT_EQ(labelled(r.example), (std::vector<std::string>{"s:string", "k:number"}));
  EXPECT_EQ(r.counts.unlabelled, 3u);  // the arrow function's return type, `this` and the destructured `{ a }`
  EXPECT_EQ(r.counts.leaks.at("cast"), 3u);
  EXPECT_EQ(r.counts.leaks.at("type_arguments"), 2u);
  EXPECT_TRUE(reparses(r.stripped_source, Language::kTypeScript)) << r.stripped_source;

  TypeExampleOptions keep;
  keep.strip_leaks = false;
  const auto k = make_type_example(src, Language::kTypeScript, "leaks.ts", keep);
  ASSERT_TRUE(k.ok);
  EXPECT_NE(joined(k.example.tokens).find("y as unknown as T"), std::string::npos);
  EXPECT_NE(joined(k.example.tokens).find("Map < string , number >"), std::string::npos);
  EXPECT_TRUE(k.counts.leaks.empty());
}

TEST(TypeDataset, CastBetweenWordsKeepsTheNeighboursApart) {
  // Removing `<number>` from `return<number>y` must not glue `return` and `y` into one identifier.
  const auto r = make_type_example("function r(): number { return<number>y; }\n", Language::kTypeScript, "glue.ts");
  ASSERT_TRUE(r.ok) << r.skip_reason;
  EXPECT_EQ(joined(r.example.tokens), "function r ( ) { return y ; }");
  EXPECT_EQ(r.stripped_source, "function r() { return y; }\n");
}

TEST(TypeDataset, TsxUsesItsOwnGrammar) {
  const auto r =
      make_type_example("function C(p: Props): JSX.Element { return <div>{p.x}</div>; }\n", Language::kTsx, "c.tsx");
  ASSERT_TRUE(r.ok) << r.skip_reason;
  EXPECT_EQ(labelled(r.example), (std::vector<std::string>{"C:JSX.Element", "p:Props"}));
}

TEST(TypeDataset, PythonStripsParametersAssignmentsAndReturns) {
  const auto r = make_type_example(kPython, Language::kPython, "f.py");
  ASSERT_TRUE(r.ok) << r.skip_reason;
  EXPECT_EQ(joined(r.example.tokens),
            "def f ( a , b = None , * args , c = 3 , ** kw ) : x = { } self . y = None z return x");
  EXPECT_EQ(labelled(r.example),
            (std::vector<std::string>{"f:List[int]", "a:int", "b:Foo", "args:str", "kw:Dict[str, int]",
                                      "x:Dict[str, int]", "y:Optional[str]", "z:float"}));
  EXPECT_TRUE(reparses(r.stripped_source, Language::kPython)) << r.stripped_source;
  EXPECT_EQ(r.counts.annotations, 8u);
  EXPECT_EQ(r.counts.kinds.at("parameter"), 4u);
  EXPECT_EQ(r.counts.kinds.at("variable"), 3u);
  EXPECT_EQ(r.counts.kinds.at("return"), 1u);
  EXPECT_EQ(r.counts.label_lost, 0u);
}

TEST(TypeDataset, NoAnnotationsIsSkippedUnlessAsked) {
  const auto r = make_type_example("def f(a, b=1):\n    return a\n", Language::kPython, "plain.py");
  EXPECT_FALSE(r.ok);
  EXPECT_EQ(r.skip_reason, "no_annotations");
  TypeExampleOptions keep;
  keep.keep_unannotated = true;
  const auto k = make_type_example("let x = 1;\n", Language::kTypeScript, "plain.ts", keep);
  ASSERT_TRUE(k.ok);
  EXPECT_EQ(joined(k.example.tokens), "let x = 1 ;");
  EXPECT_EQ(k.example.labels, std::vector<std::string>(5, ""));
}

TEST(TypeDataset, SyntaxErrorsAreSkippedWithAReason) {
  const auto ts = make_type_example("function f(a: number {\n", Language::kTypeScript, "bad.ts");
  EXPECT_FALSE(ts.ok);
  EXPECT_EQ(ts.skip_reason, "parse_error");
  const auto py = make_type_example("def f(a: int:\n    return\n", Language::kPython, "bad.py");
  EXPECT_FALSE(py.ok);
  EXPECT_EQ(py.skip_reason, "parse_error");
  EXPECT_THROW_WITH(make_type_example("class A {}", Language::kJava, "A.java"), codessm::UsageError, "java");
}

TEST(TypeDataset, CorpusEndToEnd) {
  const fs::path dir = codessm::test::temp_dir("type_dataset");
  nlohmann::ordered_json ts_file = {
      {"repo", "r"}, {"path", "src/a.ts"}, {"language", "typescript"}, {"content", "let a: number = 1;\n"}};
  nlohmann::ordered_json py_func = {{"repo", "r"},      {"path", "m.py"},
                                    {"func_name", "g"}, {"language", "python"},
                                    {"start_line", 3},  {"code", "def g(x: int) -> str:\n    return 'x'\n"}};
  nlohmann::ordered_json java = {{"repo", "r"}, {"path", "A.java"}, {"language", "java"}, {"content", "class A {}"}};
  nlohmann::ordered_json broken = {{"path", "b.py"}, {"language", "python"}, {"content", "def f(:\n"}};
  nlohmann::ordered_json plain = {{"path", "c.py"}, {"language", "python"}, {"content", "x = 1\n"}};
  codessm::test::write_file(dir / "corpus" / "files" / "train.jsonl",
        ts_file.dump() + "\n" + java.dump() + "\n" + broken.dump() + "\n\n" + plain.dump() + "\n");
  codessm::test::write_file(dir / "corpus" / "files" / "valid.jsonl", py_func.dump() + "\n");

  TypeDatasetOptions o;
  o.inputs = {dir / "corpus"};
  o.out = dir / "out";
  o.train_percent = 0, o.valid_percent = 0, o.test_percent = 100;  // every example to test
  const TypeDatasetSummary s = build_type_dataset(o);
  EXPECT_EQ(s.records_read, 5u);
  EXPECT_EQ(s.records_selected, 4u);
  EXPECT_EQ(s.examples_written, 2u);
  EXPECT_EQ(s.skipped,
            (std::map<std::string, uint64_t>{{"language_not_selected", 1}, {"no_annotations", 1}, {"parse_error", 1}}));
  EXPECT_EQ(s.counts.labelled_tokens, 3u);

  const auto test = codessm::benchmarks::read_type_inference(o.out / "test.jsonl");
  ASSERT_EQ(test.size(), 2u);
  EXPECT_EQ(test[0].id, "r/src/a.ts");
  EXPECT_EQ(labelled(test[0]), std::vector<std::string>{"a:number"});
  EXPECT_EQ(test[1].id, "r/m.py#g:3");
  EXPECT_EQ(joined(test[1].tokens), "def g ( x ) : return 'x'");
  EXPECT_EQ(labelled(test[1]), (std::vector<std::string>{"g:str", "x:int"}));
  EXPECT_TRUE(codessm::benchmarks::read_type_inference(o.out / "train.jsonl").empty());
  EXPECT_TRUE(codessm::benchmarks::read_type_inference(o.out / "valid.jsonl").empty());
  const auto m = nlohmann::json::parse(codessm::core::read_file(o.out / "manifest.json"));
  EXPECT_EQ(m["counts"]["skipped"]["parse_error"], 1);
  EXPECT_EQ(m["counts"]["examples_per_split"]["test"], 2);
  EXPECT_EQ(m["annotations"]["annotations"], 3);

  // The same input gives the same bytes; a different split moves the examples.
  const std::string first = codessm::core::read_file(o.out / "test.jsonl");
  build_type_dataset(o);
  EXPECT_EQ(codessm::core::read_file(o.out / "test.jsonl"), first);
  o.train_percent = 100, o.test_percent = 0;
  o.languages = {"python"};
  o.max_files = 1;  // only the first python record (the broken one) is considered
  const auto p = build_type_dataset(o);
  EXPECT_EQ(p.records_selected, 1u);
  EXPECT_EQ(p.examples_written, 0u);
  o.max_files = 0;
  EXPECT_EQ(build_type_dataset(o).examples_per_split.at("train"), 1u);
}

TEST(TypeDataset, BadOptionsAndInputsNameTheProblem) {
  const fs::path dir = codessm::test::temp_dir("type_dataset_bad");
  codessm::test::write_file(dir / "bad.jsonl",
        "{\"path\": \"a.ts\", \"language\": \"typescript\", \"content\": \"let a: T;\"}\nnot json\n");
  codessm::test::write_file(dir / "nofield.jsonl", "{\"path\": \"a.ts\", \"language\": \"typescript\"}\n");
  TypeDatasetOptions o;
  o.out = dir / "out";
  o.inputs = {dir / "bad.jsonl"};
  EXPECT_THROW_WITH(build_type_dataset(o), codessm::DataError, "bad.jsonl:2");
  o.inputs = {dir / "nofield.jsonl"};
  EXPECT_THROW_WITH(build_type_dataset(o), codessm::DataError, "'code'");
  o.train_percent = 70;
  EXPECT_THROW_WITH(build_type_dataset(o), codessm::UsageError, "sum to 100");
  o.train_percent = 80;
  o.languages = {"java"};
  EXPECT_THROW_WITH(build_type_dataset(o), codessm::UsageError, "java");
  o.languages = {"python"};
  o.inputs = {dir / "missing"};
  EXPECT_THROW_WITH(build_type_dataset(o), codessm::DataError, "missing");
}
