package exectest

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestNoProgramWrittenByHand: no test of the module writes an executable
// file with os.WriteFile or os.OpenFile, which races with the children
// that parallel tests start (ETXTBSY): they use [WriteProgram] (review 2,
// L7).
func TestNoProgramWrittenByHand(t *testing.T) {
	t.Parallel()
	root, err := filepath.Abs(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	fset := token.NewFileSet()
	err = filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "testdata" || d.Name() == "node_modules" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			sel, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			if x, isIdent := sel.X.(*ast.Ident); !isIdent || x.Name != "os" || (sel.Sel.Name != "WriteFile" && sel.Sel.Name != "OpenFile") {
				return true
			}
			if len(call.Args) != 3 {
				return true
			}
			lit, ok := call.Args[2].(*ast.BasicLit)
			if !ok || lit.Kind != token.INT {
				return true
			}
			if mode, err := strconv.ParseUint(strings.Replace(lit.Value, "0o", "0", 1), 0, 32); err == nil && mode&0o111 != 0 {
				rel, _ := filepath.Rel(root, path)
				t.Errorf("%s:%d: os.%s writes an executable (mode %s): use exectest.WriteProgram", rel, fset.Position(call.Pos()).Line, sel.Sel.Name, lit.Value)
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}
