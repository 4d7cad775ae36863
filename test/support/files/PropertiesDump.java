import java.io.FileInputStream;
import java.util.Properties;
import java.util.TreeMap;

/** Loads a .properties file with java.util.Properties and prints it as JSON (ASCII, \\u escapes). */
public class PropertiesDump {
  @SuppressWarnings("unchecked")
  public static void main(String[] args) throws Exception {
    Properties p = new Properties();
    try (FileInputStream in = new FileInputStream(args[0])) { p.load(in); }
    StringBuilder out = new StringBuilder("{");
    boolean first = true;
    for (String k : new TreeMap<String, String>((java.util.Map) p).keySet()) {
      if (!first) out.append(',');
      first = false;
      out.append(quote(k)).append(':').append(quote(p.getProperty(k)));
    }
    System.out.println(out.append('}'));
  }

  static String quote(String s) {
    StringBuilder b = new StringBuilder("\"");
    for (char c : s.toCharArray()) b.append(String.format("\\u%04x", (int) c));
    return b.append('"').toString();
  }
}
