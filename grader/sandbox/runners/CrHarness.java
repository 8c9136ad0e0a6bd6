// In-sandbox test harness for Java 17. Compiled and run inside the sandbox next to the student's class.
// args: <class name> <method name>. stdin: {"nonce", "cases": [{"args": [...]}]}, read completely before
// the student's class is loaded; expected values are never sent here. One record "<nonce> <json>\n"
// per case goes to the original stdout (the result channel); the student's System.out/System.err are
// captured per case instead. The channel and the nonce live in main's locals, out of reach of reflection
// (a static field could be read, or swapped for a stream that rewrites records); the JVM runs with
// -XX:+DisableAttachMechanism so no tool can attach to it. Code in this process can still do a lot
// (e.g. dump its own heap), which is why the grader takes nothing from a hidden case's record but its
// category and whether the value is right.

import java.io.ByteArrayOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.PrintStream;
import java.lang.reflect.Array;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.Type;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

public final class CrHarness {
    private static final int MAX_VALUE_CHARS = 16000;
    private static final int MAX_OUTPUT = 2000;
    private static String studentClass;

    private CrHarness() {}

    public static void main(String[] argv) throws Exception {
        studentClass = argv[0];
        String methodName = argv[1];
        String input = new String(System.in.readAllBytes(), StandardCharsets.UTF_8);
        @SuppressWarnings("unchecked")
        Map<String, Object> payload = (Map<String, Object>) new Json(input).parse();
        final String nonce = (String) payload.get("nonce");
        List<?> cases = (List<?>) payload.get("cases");
        System.in.close();
        final PrintStream channel = new PrintStream(new FileOutputStream(FileDescriptor.out), false,
                StandardCharsets.UTF_8);
        ByteArrayOutputStream captured = new ByteArrayOutputStream();
        PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8);
        System.setOut(capture);
        System.setErr(capture);

        Method method;
        Object target = null;
        try {
            Class<?> cls = Class.forName(studentClass);
            method = findMethod(cls, methodName);
            method.setAccessible(true);
            if (!Modifier.isStatic(method.getModifiers())) {
                var ctor = cls.getDeclaredConstructor();
                ctor.setAccessible(true);
                target = ctor.newInstance();
            }
        } catch (Throwable err) {
            Throwable cause = unwrap(err);
            emit(channel, nonce, "{\"load_error\":" + str(cause.getClass().getSimpleName()) + ",\"trace\":" + str(trace(cause))
                    + ",\"output\":" + str(take(captured)) + "}");
            Runtime.getRuntime().halt(0);
            return;
        }
        emit(channel, nonce, "{\"ready\":true,\"output\":" + str(take(captured)) + "}");

        Type[] types = method.getGenericParameterTypes();
        for (int i = 0; i < cases.size(); i++) {
            List<?> args = (List<?>) ((Map<?, ?>) cases.get(i)).get("args");
            String record;
            long started = System.nanoTime();
            Object[] converted;
            try {
                converted = convertArgs(args, types);
            } catch (RuntimeException err) {
                record = "{\"i\":" + i + ",\"status\":\"bad_signature\",\"message\":"
                        + str("the method's parameters do not accept this test's arguments") + "}";
                emit(channel, nonce, record.substring(0, record.length() - 1) + ",\"output\":\"\"}");
                continue;
            }
            try {
                Object value = method.invoke(target, converted);
                double seconds = (System.nanoTime() - started) / 1e9;
                String encoded;
                try {
                    encoded = toJson(value, 0);
                    if (encoded.length() > MAX_VALUE_CHARS) {
                        throw new IllegalArgumentException("return value is too large to compare");
                    }
                    record = "{\"i\":" + i + ",\"status\":\"returned\",\"value\":" + encoded;
                } catch (IllegalArgumentException err) {
                    record = "{\"i\":" + i + ",\"status\":\"unserializable\",\"message\":" + str(err.getMessage());
                }
                record += ",\"seconds\":" + seconds;
            } catch (Throwable err) {
                double seconds = (System.nanoTime() - started) / 1e9;
                Throwable cause = unwrap(err);
                record = "{\"i\":" + i + ",\"status\":\"raised\",\"error\":" + str(cause.getClass().getSimpleName())
                        + ",\"trace\":" + str(trace(cause)) + ",\"seconds\":" + seconds;
            }
            emit(channel, nonce, record + ",\"output\":" + str(take(captured)) + "}");
        }
        emit(channel, nonce, "{\"done\":true}");
        Runtime.getRuntime().halt(0);
    }

    private static void emit(PrintStream channel, String nonce, String json) {
        // A leading newline ends whatever partial line the student's code may have left on fd 1.
        channel.print("\n" + nonce + " " + json + "\n");
        channel.flush();
    }

    private static String take(ByteArrayOutputStream captured) {
        byte[] bytes = captured.toByteArray();
        captured.reset();
        String text = new String(bytes, 0, Math.min(bytes.length, MAX_OUTPUT), StandardCharsets.UTF_8);
        return text;
    }

    private static Throwable unwrap(Throwable err) {
        while ((err instanceof InvocationTargetException || err instanceof ExceptionInInitializerError)
                && err.getCause() != null) {
            err = err.getCause();
        }
        return err;
    }

    /** The exception line and the student's own frames only. */
    private static String trace(Throwable err) {
        StringBuilder out = new StringBuilder(String.valueOf(err));
        for (StackTraceElement frame : err.getStackTrace()) {
            String cls = frame.getClassName();
            if (cls.equals(studentClass) || cls.startsWith(studentClass + "$")) {
                out.append("\n\tat ").append(frame);
            }
        }
        String text = out.toString();
        return text.length() > 4000 ? text.substring(0, 4000) : text;
    }

    private static Method findMethod(Class<?> cls, String name) throws NoSuchMethodException {
        Method found = null;
        for (Method m : cls.getDeclaredMethods()) {
            if (m.getName().equals(name) && !m.isSynthetic()) {
                if (found != null) {
                    throw new NoSuchMethodException("more than one method named " + name + " in " + cls.getName());
                }
                found = m;
            }
        }
        if (found == null) {
            throw new NoSuchMethodException("no method named " + name + " in " + cls.getName());
        }
        return found;
    }

    private static Object[] convertArgs(List<?> args, Type[] types) {
        if (args.size() != types.length) {
            throw new IllegalArgumentException("argument count");
        }
        Object[] out = new Object[types.length];
        for (int i = 0; i < types.length; i++) {
            out[i] = convert(args.get(i), types[i]);
        }
        return out;
    }

    private static Object convert(Object v, Type type) {
        if (type instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            Type[] params = p.getActualTypeArguments();
            if (Collection.class.isAssignableFrom(raw)) {
                Collection<Object> out = Set.class.isAssignableFrom(raw) ? new LinkedHashSet<>() : new ArrayList<>();
                for (Object x : (List<?>) v) {
                    out.add(convert(x, params[0]));
                }
                return out;
            }
            if (Map.class.isAssignableFrom(raw)) {
                Map<Object, Object> out = new LinkedHashMap<>();
                for (Map.Entry<?, ?> e : ((Map<?, ?>) v).entrySet()) {
                    Object key = params[0] == String.class ? e.getKey() : convert(parseKey((String) e.getKey()), params[0]);
                    out.put(key, convert(e.getValue(), params[1]));
                }
                return out;
            }
            throw new IllegalArgumentException("unsupported parameter type " + type);
        }
        if (!(type instanceof Class<?> c)) {
            return v;  // type variables and wildcards: pass the JSON value through
        }
        if (v == null) {
            if (c.isPrimitive()) {
                throw new IllegalArgumentException("null for a primitive");
            }
            return null;
        }
        if (c == int.class || c == Integer.class) {
            return Math.toIntExact(integral(v));
        }
        if (c == long.class || c == Long.class) {
            return integral(v);
        }
        if (c == short.class || c == Short.class) {
            return (short) integral(v);
        }
        if (c == byte.class || c == Byte.class) {
            return (byte) integral(v);
        }
        if (c == double.class || c == Double.class) {
            return ((Number) v).doubleValue();
        }
        if (c == float.class || c == Float.class) {
            return ((Number) v).floatValue();
        }
        if (c == boolean.class || c == Boolean.class) {
            return (Boolean) v;
        }
        if (c == char.class || c == Character.class) {
            String s = (String) v;
            if (s.length() != 1) {
                throw new IllegalArgumentException("not a single character");
            }
            return s.charAt(0);
        }
        if (c == String.class) {
            return (String) v;
        }
        if (c.isArray()) {
            List<?> list = (List<?>) v;
            Object arr = Array.newInstance(c.getComponentType(), list.size());
            for (int i = 0; i < list.size(); i++) {
                Array.set(arr, i, convert(list.get(i), c.getComponentType()));
            }
            return arr;
        }
        if (c == Object.class || c.isInstance(v)) {
            return v;
        }
        if (Collection.class.isAssignableFrom(c)) {
            return Set.class.isAssignableFrom(c) ? new LinkedHashSet<>((List<?>) v) : new ArrayList<>((List<?>) v);
        }
        throw new IllegalArgumentException("unsupported parameter type " + c.getName());
    }

    private static Object parseKey(String key) {
        try {
            return Long.parseLong(key);
        } catch (NumberFormatException e) {
            return key;
        }
    }

    private static long integral(Object v) {
        if (v instanceof Long l) {
            return l;
        }
        double d = ((Number) v).doubleValue();
        if (d != Math.rint(d)) {
            throw new IllegalArgumentException("not an integer");
        }
        return (long) d;
    }

    private static String toJson(Object v, int depth) {
        if (depth > 50) {
            throw new IllegalArgumentException("nested too deeply");
        }
        if (v == null) {
            return "null";
        }
        if (v instanceof Boolean b) {
            return b ? "true" : "false";
        }
        if (v instanceof Double || v instanceof Float) {
            double d = ((Number) v).doubleValue();
            if (Double.isNaN(d)) {
                return "NaN";
            }
            if (Double.isInfinite(d)) {
                return d > 0 ? "Infinity" : "-Infinity";
            }
            return Double.toString(d);
        }
        if (v instanceof Number n) {
            String text = n.toString();
            if (text.length() > 4000) {  // the grader reads at most 4300 digits
                throw new IllegalArgumentException("number too large to compare");
            }
            return text;
        }
        if (v instanceof Character || v instanceof CharSequence) {
            return str(v.toString());
        }
        if (v.getClass().isArray()) {
            StringBuilder out = new StringBuilder("[");
            for (int i = 0; i < Array.getLength(v); i++) {
                out.append(i == 0 ? "" : ",").append(toJson(Array.get(v, i), depth + 1));
            }
            return out.append(']').toString();
        }
        if (v instanceof Collection<?> coll) {
            StringBuilder out = new StringBuilder("[");
            boolean first = true;
            for (Object x : coll) {
                out.append(first ? "" : ",").append(toJson(x, depth + 1));
                first = false;
            }
            return out.append(']').toString();
        }
        if (v instanceof Map<?, ?> map) {
            StringBuilder out = new StringBuilder("{");
            boolean first = true;
            for (Map.Entry<?, ?> e : map.entrySet()) {
                out.append(first ? "" : ",").append(str(String.valueOf(e.getKey()))).append(':')
                        .append(toJson(e.getValue(), depth + 1));
                first = false;
            }
            return out.append('}').toString();
        }
        if (v instanceof Enum<?> e) {
            return str(e.name());
        }
        throw new IllegalArgumentException("return value of type " + v.getClass().getSimpleName() + " cannot be compared");
    }

    private static String str(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); i++) {
            char ch = s.charAt(i);
            switch (ch) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                default -> {
                    if (ch < 0x20) {
                        out.append(String.format("\\u%04x", (int) ch));
                    } else {
                        out.append(ch);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    /** A small JSON reader: objects become LinkedHashMap, arrays ArrayList, integers Long, others Double. */
    private static final class Json {
        private final String s;
        private int pos;

        Json(String s) {
            this.s = s;
        }

        Object parse() {
            Object v = value();
            skip();
            if (pos != s.length()) {
                throw new IllegalArgumentException("trailing data in JSON");
            }
            return v;
        }

        private void skip() {
            while (pos < s.length() && Character.isWhitespace(s.charAt(pos))) {
                pos++;
            }
        }

        private Object value() {
            skip();
            char c = s.charAt(pos);
            if (c == '{') {
                pos++;
                Map<String, Object> map = new LinkedHashMap<>();
                skip();
                if (s.charAt(pos) == '}') {
                    pos++;
                    return map;
                }
                while (true) {
                    skip();
                    String key = string();
                    skip();
                    expect(':');
                    map.put(key, value());
                    skip();
                    if (s.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    expect('}');
                    return map;
                }
            }
            if (c == '[') {
                pos++;
                List<Object> list = new ArrayList<>();
                skip();
                if (s.charAt(pos) == ']') {
                    pos++;
                    return list;
                }
                while (true) {
                    list.add(value());
                    skip();
                    if (s.charAt(pos) == ',') {
                        pos++;
                        continue;
                    }
                    expect(']');
                    return list;
                }
            }
            if (c == '"') {
                return string();
            }
            if (s.startsWith("true", pos)) {
                pos += 4;
                return Boolean.TRUE;
            }
            if (s.startsWith("false", pos)) {
                pos += 5;
                return Boolean.FALSE;
            }
            if (s.startsWith("null", pos)) {
                pos += 4;
                return null;
            }
            return number();
        }

        private void expect(char c) {
            if (s.charAt(pos) != c) {
                throw new IllegalArgumentException("expected " + c + " at " + pos);
            }
            pos++;
        }

        private String string() {
            expect('"');
            StringBuilder out = new StringBuilder();
            while (true) {
                char c = s.charAt(pos++);
                if (c == '"') {
                    return out.toString();
                }
                if (c != '\\') {
                    out.append(c);
                    continue;
                }
                char e = s.charAt(pos++);
                switch (e) {
                    case 'n' -> out.append('\n');
                    case 't' -> out.append('\t');
                    case 'r' -> out.append('\r');
                    case 'b' -> out.append('\b');
                    case 'f' -> out.append('\f');
                    case 'u' -> {
                        out.append((char) Integer.parseInt(s.substring(pos, pos + 4), 16));
                        pos += 4;
                    }
                    default -> out.append(e);
                }
            }
        }

        private Object number() {
            int start = pos;
            while (pos < s.length() && "+-0123456789.eE".indexOf(s.charAt(pos)) >= 0) {
                pos++;
            }
            String text = s.substring(start, pos);
            if (text.isEmpty()) {
                throw new IllegalArgumentException("bad JSON at " + start);
            }
            if (text.indexOf('.') < 0 && text.indexOf('e') < 0 && text.indexOf('E') < 0) {
                try {
                    return Long.parseLong(text);
                } catch (NumberFormatException ignored) {
                    // too large for a long: fall through to double
                }
            }
            return Double.parseDouble(text);
        }
    }
}
