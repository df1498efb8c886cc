package io.ksf.api;

import com.sun.source.doctree.DocCommentTree;
import com.sun.source.tree.ClassTree;
import com.sun.source.tree.CompilationUnitTree;
import com.sun.source.tree.MethodTree;
import com.sun.source.tree.ModifiersTree;
import com.sun.source.tree.Tree;
import com.sun.source.util.DocTrees;
import com.sun.source.util.JavacTask;
import com.sun.source.util.TreePath;
import com.sun.source.util.TreePathScanner;
import org.junit.jupiter.api.Test;

import javax.lang.model.element.Modifier;
import javax.tools.JavaCompiler;
import javax.tools.JavaFileObject;
import javax.tools.StandardJavaFileManager;
import javax.tools.ToolProvider;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every public type, method and constructor (with parameters) of the shipped modules has a javadoc comment;
 * methods that override one inherit it. Read from the sources with the compiler's tree API.
 */
class PublicApiJavadocTest {
    static final List<String> SHIPPED = List.of("ksf-api", "ksf-contracts", "ksf-core", "ksf-formats", "ksf-kafka",
            "ksf-s3", "ksf-docdb", "ksf-http", "ksf-kinesis", "ksf-parquet", "ksf-streams", "ksf-testkit");

    @Test
    void everyPublicTypeAndMethodOfTheShippedModulesHasJavadoc() throws IOException {
        Path root = Path.of("..").toAbsolutePath().normalize();
        List<Path> sources = new ArrayList<>();
        for (String module : SHIPPED) {
            try (Stream<Path> files = Files.walk(root.resolve(module).resolve("src/main/java"))) {
                files.filter(file -> file.toString().endsWith(".java")).forEach(sources::add);
            }
        }
        assertThat(sources).hasSizeGreaterThan(50);

        JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        List<String> undocumented = new ArrayList<>();
        try (StandardJavaFileManager files = compiler.getStandardFileManager(null, null, null)) {
            Iterable<? extends JavaFileObject> units = files.getJavaFileObjectsFromPaths(sources);
            JavacTask task = (JavacTask) compiler.getTask(null, files, null, List.of("-proc:none"), null, units);
            DocTrees docs = DocTrees.instance(task);
            for (CompilationUnitTree unit : task.parse()) {
                new Scanner(unit, docs, root, undocumented).scan(unit, null);
            }
        }
        assertThat(undocumented).as("public API without javadoc").isEmpty();
    }

    private static final class Scanner extends TreePathScanner<Void, Void> {
        private final CompilationUnitTree unit;
        private final DocTrees docs;
        private final Path root;
        private final List<String> undocumented;

        Scanner(CompilationUnitTree unit, DocTrees docs, Path root, List<String> undocumented) {
            this.unit = unit;
            this.docs = docs;
            this.root = root;
            this.undocumented = undocumented;
        }

        @Override
        public Void visitClass(ClassTree type, Void unused) {
            if (!visible(getCurrentPath())) {
                return null; // nothing inside a hidden type is public API
            }
            require(getCurrentPath(), "type " + type.getSimpleName());
            return super.visitClass(type, unused);
        }

        @Override
        public Void visitMethod(MethodTree method, Void unused) {
            boolean constructor = method.getName().contentEquals("<init>");
            boolean overrides = method.getModifiers().getAnnotations().stream()
                    .anyMatch(a -> a.getAnnotationType().toString().equals("Override"));
            boolean documentedByItsRecord = constructor && compact(method);
            if (visible(getCurrentPath()) && !overrides && !documentedByItsRecord
                    && !(constructor && method.getParameters().isEmpty())) {
                require(getCurrentPath(), (constructor ? "constructor of " + enclosingName() : "method "
                        + method.getName()) + "(" + method.getParameters().size() + " parameters)");
            }
            return null; // not into method bodies: their local and anonymous classes are not API
        }

        /** A record's compact constructor ({@code public Name { ... }}), which the record's own javadoc covers. */
        private boolean compact(MethodTree constructor) {
            try {
                CharSequence text = unit.getSourceFile().getCharContent(true);
                int start = (int) docs.getSourcePositions().getStartPosition(unit, constructor);
                int body = (int) docs.getSourcePositions().getStartPosition(unit, constructor.getBody());
                return !text.subSequence(start, body).toString().contains("(");
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        private String enclosingName() {
            return ((ClassTree) getCurrentPath().getParentPath().getLeaf()).getSimpleName().toString();
        }

        /** Public, or a member of an interface that is not private, inside types that are all visible. */
        private static boolean visible(TreePath path) {
            Tree leaf = path.getLeaf();
            Tree parent = path.getParentPath().getLeaf();
            ModifiersTree modifiers = leaf instanceof ClassTree c ? c.getModifiers() : ((MethodTree) leaf).getModifiers();
            boolean inInterface = parent instanceof ClassTree p && p.getKind() == Tree.Kind.INTERFACE;
            boolean isPublic = modifiers.getFlags().contains(Modifier.PUBLIC)
                    || inInterface && !modifiers.getFlags().contains(Modifier.PRIVATE);
            if (!isPublic) {
                return false;
            }
            return !(parent instanceof ClassTree) || visible(path.getParentPath());
        }

        private void require(TreePath path, String what) {
            DocCommentTree comment = docs.getDocCommentTree(path);
            if (comment == null || comment.getFullBody().isEmpty() && comment.getBlockTags().isEmpty()) {
                long line = unit.getLineMap().getLineNumber(docs.getSourcePositions().getStartPosition(unit,
                        path.getLeaf()));
                undocumented.add(root.relativize(Path.of(unit.getSourceFile().toUri())) + ":" + line + " " + what);
            }
        }
    }
}
